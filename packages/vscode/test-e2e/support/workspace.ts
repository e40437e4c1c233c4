// The test workspace's files, on disk and in editor buffers.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as vscode from "vscode";

/**
 * The folder code-server opened.
 *
 * @returns Its absolute path.
 */
export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error("no workspace folder is open");
  return folder.uri.fsPath;
}

/** The file the bug-fix scenarios work on, with its bug (subtraction in `add`). */
export const buggyCalc = "def add(a, b):\n    return a - b\n";
/** The same file fixed. */
export const fixedCalc = "def add(a, b):\n    return a + b\n";

/**
 * Writes a file of the workspace on disk (not through an editor).
 *
 * @param relative - Its path in the workspace.
 * @param content - Its content.
 */
export function writeOnDisk(relative: string, content: string): void {
  writeFileSync(path.join(workspaceRoot(), relative), content);
}

/**
 * Whether a file of the workspace exists on disk.
 *
 * @param relative - Its path in the workspace.
 * @returns True when it does.
 */
export function existsOnDisk(relative: string): boolean {
  return existsSync(path.join(workspaceRoot(), relative));
}

/**
 * Reads a file of the workspace from disk.
 *
 * @param relative - Its path in the workspace.
 * @returns Its content.
 */
export function readOnDisk(relative: string): string {
  return readFileSync(path.join(workspaceRoot(), relative), "utf8");
}

/**
 * The text of a file as the editor has it (the buffer, saved or not).
 *
 * @param relative - Its path in the workspace.
 * @returns The document's text.
 */
export async function readBuffer(relative: string): Promise<string> {
  const document = await vscode.workspace.openTextDocument(
    vscode.Uri.file(path.join(workspaceRoot(), relative)),
  );
  return document.getText();
}

/**
 * Opens a file in an editor and replaces its whole text without saving.
 *
 * @param relative - Its path in the workspace.
 * @param content - The buffer's new text.
 * @returns The document, dirty.
 */
export async function editWithoutSaving(
  relative: string,
  content: string,
): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(
    vscode.Uri.file(path.join(workspaceRoot(), relative)),
  );
  const editor = await vscode.window.showTextDocument(document);
  const whole = new vscode.Range(
    document.positionAt(0),
    document.positionAt(document.getText().length),
  );
  const applied = await editor.edit((edit) => edit.replace(whole, content));
  if (!applied) throw new Error(`could not edit ${relative} in its editor`);
  return document;
}

/**
 * Drops unsaved changes of every open document (reverts them to the disk's content).
 */
export async function revertAll(): Promise<void> {
  for (const document of vscode.workspace.textDocuments) {
    if (!document.isDirty || document.uri.scheme !== "file") continue;
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand("workbench.action.files.revert");
  }
}
