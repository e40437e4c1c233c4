import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** A throw-away workspace folder with some files; `dispose()` removes it. */
export function tempWorkspace(files: Record<string, string> = {}): { root: string; file(name: string): string; dispose(): void } {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), "gemma-coder-vscode-")));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(root, name), text);
  return {
    root,
    file: (name) => path.join(root, name),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}
