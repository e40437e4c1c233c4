import { promises as fs } from "node:fs";
import path from "node:path";
import { defineTool, type Tool } from "@gemma-coder/core";
import { z } from "zod";
import { guard } from "../fs/guard.js";
import { walkWorkspace } from "../fs/walk.js";
import { resolveOptions, type ToolsOptions } from "../options.js";
import { resolveWorkspacePath } from "../paths/resolve-workspace-path.js";
import { TOOL_NAMES } from "../tool-names.js";

/** How many entries `list_files` shows when the model does not say. */
export const DEFAULT_LIST_MAX = 200;
/** The most entries `list_files` shows in one call. */
export const LIST_MAX_LIMIT = 1000;
// Past the shown entries the walk goes on only to say roughly how many were left out.
const COUNT_LIMIT = 10_000;

const listFilesInput = z.object({
  path: z.string().optional(),
  max: z.number().int().min(1).optional(),
});

/** The input of `list_files`. */
export type ListFilesInput = z.output<typeof listFilesInput>;

/**
 * Creates `list_files`: lists a workspace folder recursively, shallow entries first,
 * folders with a trailing `/`, paths relative to the workspace root. Files ignored by
 * `.gitignore`, hidden names and `.git` are skipped (a hidden or ignored folder can still
 * be listed by naming it); the list is capped with a note.
 *
 * @param options - The workspace root and output limit.
 * @returns The tool.
 */
export function createListFilesTool(options: ToolsOptions): Tool<ListFilesInput, string> {
  const { root, maxOutputChars } = resolveOptions(options);
  return defineTool({
    name: TOOL_NAMES.listFiles,
    description: "List files under a folder (default: workspace root).",
    inputSchema: listFilesInput,
    readOnly: true,
    execute: (input, context) =>
      guard(context?.signal, input.path ?? ".", "list", async () => {
        const resolved = await resolveWorkspacePath(root, input.path ?? ".");
        const stats = await fs.stat(resolved.absolute);
        if (!stats.isDirectory()) return resolved.relative;
        const max = Math.min(input.max ?? DEFAULT_LIST_MAX, LIST_MAX_LIMIT);
        const shown: string[] = [];
        let chars = 0;
        let left = 0;
        // Walk the real folder: a link on the way was checked once and is not followed again.
        const start = path.relative(resolved.root, resolved.absolute).split(path.sep).join("/");
        for await (const entry of walkWorkspace({
          root: resolved.root,
          start: start || ".",
          signal: context?.signal,
        })) {
          const line = entry.kind === "dir" ? `${entry.path}/` : entry.path;
          if (left === 0 && shown.length < max && chars + line.length + 1 <= maxOutputChars) {
            shown.push(line);
            chars += line.length + 1;
          } else if (++left >= COUNT_LIMIT) {
            break;
          }
        }
        if (shown.length === 0) {
          return "(no files: the folder is empty, or everything in it is hidden or gitignored)";
        }
        shown.sort();
        if (left > 0) {
          const count = left >= COUNT_LIMIT ? `more than ${COUNT_LIMIT}` : String(left);
          shown.push(
            `[... ${count} more entries not shown; list a subfolder with path, or use search ...]`,
          );
        }
        return shown.join("\n");
      }),
  });
}
