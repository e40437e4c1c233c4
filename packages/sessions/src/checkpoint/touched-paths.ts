/** What a tool call may change, as far as its arguments tell. */
export type TouchedPaths =
  | {
      /** The call names the files it changes. */
      kind: "paths";
      /** The paths as given (relative to the workspace, or absolute). */
      paths: string[];
    }
  | {
      /** The call may change anything in the workspace (a shell command, an unknown tool). */
      kind: "workspace";
    };

/** Argument names that hold a file path (or a list of them) in the tools we know of. */
export const PATH_ARGUMENTS: readonly string[] = [
  "path",
  "paths",
  "file",
  "files",
  "from",
  "to",
  "source",
  "destination",
  "old_path",
  "new_path",
];

/** Tools whose effect on files cannot be told from their arguments. */
export const WORKSPACE_TOOLS: readonly string[] = ["run_shell"];

/**
 * Tells which files a call that is not read-only may change: the values of its
 * path-like arguments (`path` for `write_file` and `edit_file`), or the whole workspace
 * for a shell command and for any tool without such an argument.
 *
 * @param call - The tool's name and validated arguments.
 * @returns The paths, or `workspace`.
 */
export function touchedPaths(call: { tool: string; args: Record<string, unknown> }): TouchedPaths {
  if (WORKSPACE_TOOLS.includes(call.tool)) return { kind: "workspace" };
  const paths: string[] = [];
  for (const key of PATH_ARGUMENTS) {
    const value = call.args?.[key];
    if (typeof value === "string" && value !== "") paths.push(value);
    else if (Array.isArray(value)) {
      for (const item of value) if (typeof item === "string" && item !== "") paths.push(item);
    }
  }
  return paths.length > 0 ? { kind: "paths", paths } : { kind: "workspace" };
}
