import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failure, makeWorkspace, type TestWorkspace, value } from "../__fixtures__/workspace.js";
import { createListFilesTool } from "./list-files.js";

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace();
});
afterEach(() => ws.cleanup());

const tool = (maxOutputChars?: number) =>
  createListFilesTool(maxOutputChars ? { root: ws.root, maxOutputChars } : { root: ws.root });

describe("list_files", () => {
  it("lists recursively, folders with a slash, paths relative to the root", async () => {
    await ws.write({ "README.md": "", "src/a.ts": "", "src/lib/b.ts": "" });
    await fs.mkdir(path.join(ws.root, "empty"));
    expect(await value(tool(), {})).toBe(
      ["README.md", "empty/", "src/", "src/a.ts", "src/lib/", "src/lib/b.ts"].join("\n"),
    );
    expect(await value(tool(), { path: "src/lib" })).toBe("src/lib/b.ts");
    expect(await value(tool(), { path: "src/a.ts" })).toBe("src/a.ts");
  });

  it("honours .gitignore files at every level, with negation and precedence", async () => {
    await ws.write({
      ".gitignore": "*.log\nbuild/\n!keep.log\n",
      ".git/info/exclude": "secret-notes.txt\n",
      "app.log": "",
      "keep.log": "",
      "secret-notes.txt": "",
      "build/out.js": "",
      "src/.gitignore": "generated.ts\n!debug.log\n",
      "src/generated.ts": "",
      "src/debug.log": "",
      "src/main.ts": "",
      "src/deep/generated.ts": "",
    });
    expect(await value(tool(), {})).toBe(
      ["keep.log", "src/", "src/debug.log", "src/deep/", "src/main.ts"].join("\n"),
    );
  });

  it("skips hidden names and .git, but lists a hidden or ignored folder named explicitly", async () => {
    await ws.write({
      ".env": "",
      ".github/workflows/ci.yml": "",
      ".git/HEAD": "",
      ".gitignore": "dist/\n",
      "dist/x.js": "",
      "a.txt": "",
    });
    expect(await value(tool(), {})).toBe("a.txt");
    expect(await value(tool(), { path: ".github" })).toBe(
      ".github/workflows/\n.github/workflows/ci.yml",
    );
    expect(await value(tool(), { path: "dist" })).toBe("dist/x.js");
  });

  it("lists links without following them", async () => {
    await ws.write({ "a.txt": "" });
    await fs.symlink(ws.outside, path.join(ws.root, "out"));
    await fs.symlink(ws.root, path.join(ws.root, "self"));
    expect(await value(tool(), {})).toBe(["a.txt", "out", "self"].join("\n"));
    expect(await failure(tool(), { path: "out" })).toMatch(/symbolic link/);
  });

  it("caps the list, shallow entries first, with a note", async () => {
    const files: Record<string, string> = { "top.txt": "" };
    for (let i = 0; i < 30; i++) files[`deep/f${String(i).padStart(2, "0")}.txt`] = "";
    await ws.write(files);
    const out = await value(tool(), { max: 5 }).then((text) => text.split("\n"));
    expect(out).toEqual([
      "deep/",
      "deep/f00.txt",
      "deep/f01.txt",
      "deep/f02.txt",
      "top.txt",
      "[... 27 more entries not shown; list a subfolder with path, or use search ...]",
    ]);
    const small = await value(tool(60), {});
    expect(small.split("\n").length).toBeLessThan(8);
    expect(small).toMatch(/more entries not shown/);
  });

  it("says when there is nothing to show", async () => {
    await ws.write({ ".hidden": "" });
    expect(await value(tool(), {})).toMatch(/^\(no files/);
  });

  it("refuses folders outside the workspace", async () => {
    expect(await failure(tool(), { path: ".." })).toMatch(/outside the workspace/);
    expect(await failure(tool(), { path: "../ws-evil" })).toMatch(/outside the workspace/);
    expect(await failure(tool(), { path: "/" })).toMatch(/outside the workspace/);
    expect(await failure(tool(), { path: "missing" })).toMatch(/does not exist/);
  });
});
