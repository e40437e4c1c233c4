/** The names of the tools {@link createTools} returns, as the model calls them. */
export const TOOL_NAMES = {
  readFile: "read_file",
  listFiles: "list_files",
  search: "search",
  writeFile: "write_file",
  editFile: "edit_file",
  runShell: "run_shell",
} as const;

/** One of the {@link TOOL_NAMES}. */
export type ToolName = (typeof TOOL_NAMES)[keyof typeof TOOL_NAMES];
