import { resolveWorkspacePath } from "@gemma-coder/tools";

/**
 * The file a tool card's link opens: the path the model named, confined to the workspace
 * exactly as the tools confine it (no `..`, no absolute path outside, no symbolic link
 * that leads out), so a link never opens a file the agent itself may not read.
 *
 * @param workspace - The workspace folder.
 * @param relativePath - The path as the card shows it.
 * @returns The real absolute path, or `undefined` when it is outside the workspace.
 */
export async function fileLinkTarget(
  workspace: string,
  relativePath: string,
): Promise<string | undefined> {
  try {
    return (await resolveWorkspacePath(workspace, relativePath)).absolute;
  } catch {
    return undefined;
  }
}
