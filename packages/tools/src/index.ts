export { withApproval } from "./approval.js";
export { createTools } from "./create-tools.js";
export type { ToolFileSystem } from "./fs/file-system.js";
export type { WalkEntry, WalkOptions } from "./fs/walk.js";
export { walkWorkspace } from "./fs/walk.js";
export type {
  ApprovalDecision,
  ApprovalHandler,
  ApprovalRequest,
  CreateToolsOptions,
  SearchBackendName,
  ToolsOptions,
} from "./options.js";
export { DEFAULT_MAX_OUTPUT_CHARS, DEFAULT_SHELL_TIMEOUT_MS } from "./options.js";
export type {
  ResolvedWorkspacePath,
  ResolveWorkspacePathOptions,
} from "./paths/resolve-workspace-path.js";
export { resolveWorkspacePath } from "./paths/resolve-workspace-path.js";
export type { RunCommandOptions, RunCommandResult } from "./shell/run-command.js";
export { killProcessGroup, killRunningCommands, runCommand } from "./shell/run-command.js";
export { buildShellEnv, SECRET_ENV_NAME } from "./shell/shell-env.js";
export type { ToolName } from "./tool-names.js";
export { TOOL_NAMES } from "./tool-names.js";
export type { EditFileInput } from "./tools/edit-file.js";
export { createEditFileTool } from "./tools/edit-file.js";
export type { ListFilesInput } from "./tools/list-files.js";
export { createListFilesTool } from "./tools/list-files.js";
export type { ReadFileInput } from "./tools/read-file.js";
export { createReadFileTool } from "./tools/read-file.js";
export type { RunShellInput } from "./tools/run-shell.js";
export { createRunShellTool } from "./tools/run-shell.js";
export type { SearchInput } from "./tools/search.js";
export { createSearchTool } from "./tools/search.js";
export type { WriteFileInput } from "./tools/write-file.js";
export { createWriteFileTool } from "./tools/write-file.js";
