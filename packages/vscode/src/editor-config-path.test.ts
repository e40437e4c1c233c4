import { mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempWorkspace } from "./__fixtures__/temp-workspace.js";
import { isEditorConfigChange } from "./editor-config-path.js";

const workspaces: Array<{ dispose(): void }> = [];
afterEach(() => {
  for (const ws of workspaces.splice(0)) ws.dispose();
});

function workspace() {
  const ws = tempWorkspace({ "a.py": "x = 1\n" });
  workspaces.push(ws);
  mkdirSync(path.join(ws.root, ".vscode"));
  return ws;
}

const write = (file: string) => ({ tool: "write_file", input: { path: file, content: "{}" } });

describe("isEditorConfigChange", () => {
  it("names the files VS Code acts on by itself, however the path is spelt", async () => {
    const { root } = workspace();
    for (const file of [
      ".vscode/tasks.json",
      "./.vscode/settings.json",
      "src/../.vscode/launch.json",
      ".VSCode/tasks.json",
      "team.code-workspace",
      ".devcontainer/devcontainer.json",
    ]) {
      expect(await isEditorConfigChange(root, write(file)), file).toBe(true);
    }
  });

  it("follows a symbolic link into .vscode", async () => {
    const { root } = workspace();
    symlinkSync(path.join(root, ".vscode"), path.join(root, "config"));
    expect(await isEditorConfigChange(root, write("config/tasks.json"))).toBe(true);
  });

  it("leaves ordinary files to the approval mode", async () => {
    const { root } = workspace();
    expect(await isEditorConfigChange(root, write("a.py"))).toBe(false);
    expect(await isEditorConfigChange(root, write("docs/vscode.md"))).toBe(false);
    expect(await isEditorConfigChange(root, { tool: "run_shell", input: { command: "ls" } })).toBe(
      false,
    );
  });
});
