/**
 * Where the file tools read and write text files. The default (no back-end) is the local
 * disk with atomic writes; an editor integration passes one that goes through the editor,
 * so the agent sees unsaved buffers and its edits land in the editor's undo history.
 * Paths are always absolute and already confined to the workspace: the tools resolve
 * and check every path before they call the back-end.
 */
export interface ToolFileSystem {
  /**
   * Reads a whole text file.
   *
   * @param absolutePath - A resolved path inside the workspace.
   * @param signal - Aborts the read when the run stops.
   * @returns The file's text.
   * @throws An error with `code: "ENOENT"` when the file does not exist; any other error
   *   is reported to the model as a failed read.
   */
  readTextFile(absolutePath: string, signal?: AbortSignal): Promise<string>;
  /**
   * Writes a whole text file, creating it when it does not exist.
   *
   * @param absolutePath - A resolved path inside the workspace.
   * @param content - The full new content.
   * @param signal - Aborts the write when the run stops.
   */
  writeTextFile(absolutePath: string, content: string, signal?: AbortSignal): Promise<void>;
}
