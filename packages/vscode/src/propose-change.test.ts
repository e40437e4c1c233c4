import { afterEach, describe, expect, it } from "vitest";
import { tempWorkspace } from "./__fixtures__/temp-workspace.js";
import { proposeChange } from "./propose-change.js";

let workspace: ReturnType<typeof tempWorkspace>;
afterEach(() => workspace.dispose());

describe("proposeChange", () => {
  it("applies an edit to the text the editor has (unsaved included), in memory only", async () => {
    workspace = tempWorkspace({ "calc.py": "on disk\n" });
    const buffer = "def add(a, b):\n    return a - b\n";
    const read = async (file: string) => {
      if (file === workspace.file("calc.py")) return buffer;
      throw Object.assign(new Error("missing"), { code: "ENOENT" });
    };
    const request = { tool: "edit_file", input: { path: "calc.py", old: "a - b", new: "a + b" } };
    expect(await proposeChange(workspace.root, request, read)).toEqual({
      absolutePath: workspace.file("calc.py"),
      relativePath: "calc.py",
      before: buffer,
      after: "def add(a, b):\n    return a + b\n",
    });
  });

  it("shows a new file as created from nothing", async () => {
    workspace = tempWorkspace();
    const read = async () => {
      throw Object.assign(new Error("missing"), { code: "ENOENT" });
    };
    const request = { tool: "write_file", input: { path: "src/new.ts", content: "export {};\n" } };
    expect(await proposeChange(workspace.root, request, read)).toMatchObject({
      relativePath: "src/new.ts",
      before: undefined,
      after: "export {};\n",
    });
  });

  it("has no proposal for an edit the tool would refuse, a path outside the workspace, or another tool", async () => {
    workspace = tempWorkspace();
    const read = async () => "x = 1\n";
    const missing = { tool: "edit_file", input: { path: "a.py", old: "nope", new: "y" } };
    const outside = { tool: "write_file", input: { path: "../escape.txt", content: "x" } };
    const shell = { tool: "run_shell", input: { command: "ls" } };
    for (const request of [missing, outside, shell]) {
      expect(await proposeChange(workspace.root, request, read)).toBeUndefined();
    }
  });
});
