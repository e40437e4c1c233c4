import * as vscode from "vscode";

/** The scheme of the read-only documents that hold a proposed change (the diff's right side). */
export const PROPOSED_SCHEME = "gemma-coder-proposed";

/**
 * Serves the proposed contents the approval diff shows, from memory: nothing is written
 * to disk before the answer. Each proposal has its own URI (the path plus the approval
 * id), so an old diff never shows a newer proposal.
 */
export class ProposedContent implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();

  /**
   * Holds a text and returns the URI that shows it.
   *
   * @param relativePath - The file's path relative to the workspace (shown in the tab).
   * @param id - The approval id.
   * @param side - `after` for the proposal, `before` for the empty left side of a new file.
   * @param text - The content.
   * @returns The URI.
   */
  put(relativePath: string, id: number, side: "before" | "after", text: string): vscode.Uri {
    const uri = vscode.Uri.from({
      scheme: PROPOSED_SCHEME,
      path: `/${relativePath}`,
      query: `approval=${id}&side=${side}`,
    });
    this.texts.set(uri.toString(), text);
    return uri;
  }

  /** Forgets the texts of an approval once it is answered. */
  forget(id: number): void {
    for (const key of [...this.texts.keys()]) {
      if (key.includes(`approval%3D${id}%26`) || key.includes(`approval=${id}&`))
        this.texts.delete(key);
    }
  }

  /** @inheritdoc */
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? "";
  }
}
