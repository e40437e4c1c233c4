import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempWorkspace } from "./__fixtures__/temp-workspace.js";
import { fileLinkTarget } from "./file-link-target.js";

const workspaces: Array<{ dispose(): void }> = [];
afterEach(() => {
  for (const ws of workspaces.splice(0)) ws.dispose();
});

describe("fileLinkTarget", () => {
  it("opens a workspace file by its real path", async () => {
    const ws = tempWorkspace({ "a.py": "x = 1\n" });
    workspaces.push(ws);
    expect(await fileLinkTarget(ws.root, "a.py")).toBe(ws.file("a.py"));
  });

  it("refuses a link through a symbolic link that leaves the workspace, .., and absolute paths", async () => {
    const ws = tempWorkspace({ "a.py": "x = 1\n" });
    const home = tempWorkspace({});
    workspaces.push(ws, home);
    mkdirSync(path.join(home.root, ".ssh"));
    writeFileSync(path.join(home.root, ".ssh", "id_ed25519"), "PRIVATE KEY");
    symlinkSync(path.join(home.root, ".ssh"), path.join(ws.root, "keys"));
    for (const link of [
      "keys/id_ed25519",
      "../x",
      home.file(".ssh/id_ed25519"),
      "~/.ssh/id_ed25519",
    ]) {
      expect(await fileLinkTarget(ws.root, link), link).toBeUndefined();
    }
  });
});
