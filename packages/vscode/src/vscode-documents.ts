import { promises as fs } from "node:fs";
import * as vscode from "vscode";
import type { EditorDocuments } from "./workspace-fs.js";

function openDocument(absolutePath: string): vscode.TextDocument | undefined {
  const wanted = vscode.Uri.file(absolutePath).toString();
  return vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === wanted);
}

function fullRange(document: vscode.TextDocument): vscode.Range {
  return new vscode.Range(
    new vscode.Position(0, 0),
    document.lineAt(document.lineCount - 1).range.end,
  );
}

/**
 * The editor operations of the workspace file system, done with the real VS Code API:
 * open documents are found by URI, writes are one `WorkspaceEdit` (a file creation plus
 * its text, or a whole-document replacement) followed by a save.
 */
export const vscodeDocuments: EditorDocuments & { remove(absolutePath: string): Promise<boolean> } =
  {
    openText(absolutePath) {
      return openDocument(absolutePath)?.getText();
    },
    readDisk(absolutePath) {
      return fs.readFile(absolutePath, "utf8");
    },
    async replaceAndSave(absolutePath, content, create) {
      const uri = vscode.Uri.file(absolutePath);
      const edit = new vscode.WorkspaceEdit();
      if (create) {
        edit.createFile(uri, { ignoreIfExists: true });
        edit.insert(uri, new vscode.Position(0, 0), content);
      } else {
        const document =
          openDocument(absolutePath) ?? (await vscode.workspace.openTextDocument(uri));
        edit.replace(uri, fullRange(document), content);
      }
      if (!(await vscode.workspace.applyEdit(edit))) return false;
      const document = await vscode.workspace.openTextDocument(uri);
      // An edit that changed nothing leaves the document clean; there is nothing to save.
      return document.isDirty ? document.save() : true;
    },
    async remove(absolutePath) {
      const edit = new vscode.WorkspaceEdit();
      edit.deleteFile(vscode.Uri.file(absolutePath), { ignoreIfNotExists: true });
      return vscode.workspace.applyEdit(edit);
    },
  };
