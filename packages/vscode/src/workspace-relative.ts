import { realpathSync } from "node:fs";
import path from "node:path";

/**
 * A file's path relative to the workspace, with `/` separators. The tools hand over real
 * paths (links resolved), so the workspace's real path is tried too.
 *
 * @param workspace - The workspace folder as VS Code names it.
 * @param file - An absolute path inside it.
 * @returns The relative path.
 */
export function workspaceRelative(workspace: string, file: string): string {
  let root = path.resolve(workspace);
  if (!isInside(root, file)) {
    try {
      root = realpathSync(root);
    } catch {
      // The folder is gone; the plain relative path is the best there is.
    }
  }
  return path.relative(root, file).split(path.sep).join("/");
}

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}
