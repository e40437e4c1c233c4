import type { ToolFileSystem } from "@gemma-coder/tools";

/**
 * The few editor operations the workspace file system needs. The extension gives the real
 * ones (see `vscode-documents.ts`); tests give a small fake.
 */
export interface EditorDocuments {
  /** The text of the document open for this file (unsaved edits included), or `undefined`. */
  openText(absolutePath: string): string | undefined;
  /** Reads the file from disk; throws an error with `code: "ENOENT"` when it is missing. */
  readDisk(absolutePath: string): Promise<string>;
  /**
   * Replaces the whole document (creating the file when `create`) through a
   * `WorkspaceEdit`, so open editors show it and undo works, then saves it.
   *
   * @returns `false` when the editor refused the edit or the save.
   */
  replaceAndSave(absolutePath: string, content: string, create: boolean): Promise<boolean>;
}

/** One write the agent made, for the run's record (changed files, undo through the editor). */
export interface RecordedWrite {
  /** The file. */
  path: string;
  /** Its text before the write; `undefined` when the write created it. */
  before: string | undefined;
  /** The text written. */
  after: string;
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === "ENOENT";
}

/**
 * The tools' file back-end inside VS Code: reads return an open document's text (so the
 * agent sees unsaved edits), writes go through a `WorkspaceEdit` and a save (so they land
 * in open editors, VS Code's undo works, and the file on disk matches what the
 * checkpointer records). Paths come already confined to the workspace by the tools.
 *
 * @param documents - The editor operations.
 * @param onWrite - Told of every write that went through, with the text it replaced.
 * @returns The back-end for `createTools({ fs })`.
 */
export function createWorkspaceFs(
  documents: EditorDocuments,
  onWrite?: (write: RecordedWrite) => void,
): ToolFileSystem {
  const read = async (absolutePath: string): Promise<string> =>
    documents.openText(absolutePath) ?? (await documents.readDisk(absolutePath));
  return {
    async readTextFile(absolutePath, signal) {
      signal?.throwIfAborted();
      return read(absolutePath);
    },
    async writeTextFile(absolutePath, content, signal) {
      signal?.throwIfAborted();
      let before: string | undefined;
      try {
        before = await read(absolutePath);
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
      const applied = await documents.replaceAndSave(absolutePath, content, before === undefined);
      if (!applied) {
        throw new Error(
          "VS Code did not apply the change (the file may be read-only or changed on disk meanwhile); nothing was written",
        );
      }
      onWrite?.({ path: absolutePath, before, after: content });
    },
  };
}
