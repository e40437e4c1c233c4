import path from "node:path";
import type { ApprovalRequest } from "@gemma-coder/core";
import { resolveWorkspacePath } from "@gemma-coder/tools";

/**
 * Folders and files VS Code (or an extension it runs) acts on by itself: tasks that run
 * when the folder opens, settings that name programs to start, launch configurations, a
 * dev container's commands, a workspace file's settings.
 */
const EDITOR_CONFIG = [/^\.vscode(\/|$)/i, /^\.devcontainer(\/|$)/i, /\.code-workspace$/i];

/**
 * Whether a file change lands in the editor's own configuration (`.vscode/`,
 * `.devcontainer/`, a `*.code-workspace` file), judged on the real path the tool would
 * write (links followed), so such a change is asked about even when file changes are
 * otherwise allowed. A path that cannot be resolved counts as one (asking is the safe
 * side; the tool refuses it anyway).
 *
 * @param root - The workspace folder.
 * @param request - The call waiting for approval.
 * @returns `true` for a change to the editor's configuration.
 */
export async function isEditorConfigChange(
  root: string,
  request: ApprovalRequest,
): Promise<boolean> {
  const input = (request.input ?? {}) as { path?: unknown };
  if (typeof input.path !== "string") return false;
  try {
    const resolved = await resolveWorkspacePath(root, input.path, { write: true });
    // The real path: a link named `config` that points at `.vscode` counts as `.vscode`.
    const real = path.relative(resolved.root, resolved.absolute).split(path.sep).join("/");
    return [real, resolved.relative].some((file) =>
      EDITOR_CONFIG.some((pattern) => pattern.test(file)),
    );
  } catch {
    return true;
  }
}
