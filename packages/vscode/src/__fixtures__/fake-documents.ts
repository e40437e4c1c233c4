import { promises as fs } from "node:fs";
import path from "node:path";
import type { EditorDocuments } from "../workspace-fs.js";

/**
 * A small stand-in for VS Code's documents: "open" documents live in memory (their text
 * may differ from the disk, like an unsaved buffer); a replace-and-save updates the
 * open document and writes the disk, as the real one does through a WorkspaceEdit.
 */
export class FakeDocuments implements EditorDocuments {
  readonly open = new Map<string, string>();
  readonly edits: { path: string; content: string; create: boolean }[] = [];
  readonly removed: string[] = [];
  refuse = false;

  openText(absolutePath: string): string | undefined {
    return this.open.get(absolutePath);
  }

  readDisk(absolutePath: string): Promise<string> {
    return fs.readFile(absolutePath, "utf8");
  }

  async replaceAndSave(absolutePath: string, content: string, create: boolean): Promise<boolean> {
    if (this.refuse) return false;
    this.edits.push({ path: absolutePath, content, create });
    if (this.open.has(absolutePath)) this.open.set(absolutePath, content);
    await fs.mkdir(path.dirname(absolutePath), { recursive: true });
    await fs.writeFile(absolutePath, content);
    return true;
  }

  async remove(absolutePath: string): Promise<boolean> {
    this.removed.push(absolutePath);
    this.open.delete(absolutePath);
    await fs.rm(absolutePath, { force: true });
    return true;
  }
}
