import { statSync } from "node:fs";
import path from "node:path";
import { type AnyTool, GemmaCoderError } from "@gemma-coder/core";
import { withApproval } from "./approval.js";
import type { ToolsOptions } from "./options.js";
import { createEditFileTool } from "./tools/edit-file.js";
import { createListFilesTool } from "./tools/list-files.js";
import { createReadFileTool } from "./tools/read-file.js";
import { createRunShellTool } from "./tools/run-shell.js";
import { createSearchTool } from "./tools/search.js";
import { createWriteFileTool } from "./tools/write-file.js";

/**
 * Creates the default tool set, confined to `root`: `read_file`, `list_files`, `search`
 * and, unless `readOnly`, `write_file`, `edit_file` and `run_shell`. With `approve`, each
 * tool that changes files or runs a command asks it first.
 *
 * @param options - The workspace root and the tools' settings.
 * @returns The tools, ready to hand to an agent.
 * @throws GemmaCoderError with code `invalid-argument` when `root` is not an existing folder.
 *
 * @example
 * ```ts
 * const tools = createTools({
 *   root: process.cwd(),
 *   approve: ({ tool, input }) => tool !== "run_shell" || confirm(JSON.stringify(input)),
 * });
 * ```
 */
export function createTools(options: ToolsOptions): AnyTool[] {
  if (typeof options?.root !== "string" || options.root === "") {
    throw new GemmaCoderError("createTools needs a root folder.", { code: "invalid-argument" });
  }
  const root = path.resolve(options.root);
  let isFolder = false;
  try {
    isFolder = statSync(root).isDirectory();
  } catch {
    isFolder = false;
  }
  if (!isFolder) {
    throw new GemmaCoderError(`The workspace root ${root} is not an existing folder.`, {
      code: "invalid-argument",
    });
  }
  const settings = { ...options, root };
  const readTools: AnyTool[] = [
    createReadFileTool(settings),
    createListFilesTool(settings),
    createSearchTool(settings),
  ];
  if (options.readOnly) return readTools;
  const writeTools: AnyTool[] = [
    createWriteFileTool(settings),
    createEditFileTool(settings),
    createRunShellTool(settings),
  ];
  const approve = options.approve;
  return [
    ...readTools,
    ...(approve ? writeTools.map((tool) => withApproval(tool, approve)) : writeTools),
  ];
}
