import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failure, makeWorkspace, type TestWorkspace, value } from "../__fixtures__/workspace.js";
import { createRunShellTool } from "./run-shell.js";
import { createWriteFileTool } from "./write-file.js";

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace();
});
afterEach(() => ws.cleanup());

const posix = process.platform !== "win32";
const tool = () => createWriteFileTool({ root: ws.root });

describe("write_file", () => {
  it("creates a file and its parent folders", async () => {
    expect(await value(tool(), { path: "src/deep/er/a.py", content: "x = 1\ny = 2\n" })).toBe(
      "Created src/deep/er/a.py (2 lines, 12 bytes).",
    );
    expect(await ws.read("src/deep/er/a.py")).toBe("x = 1\ny = 2\n");
  });

  it("overwrites a file, keeping its mode, and leaves no temporary file", async () => {
    await ws.write({ "run.sh": "old\n" });
    if (posix) await fs.chmod(path.join(ws.root, "run.sh"), 0o755);
    expect(await value(tool(), { path: "run.sh", content: "new" })).toBe(
      "Overwrote run.sh (1 line, 3 bytes).",
    );
    expect(await ws.read("run.sh")).toBe("new");
    if (posix) expect((await fs.stat(path.join(ws.root, "run.sh"))).mode & 0o777).toBe(0o755);
    expect(await fs.readdir(ws.root)).toEqual(["run.sh"]);
  });

  it("keeps CRLF line ends and a byte-order mark of the file it replaces", async () => {
    await ws.write({ "win.txt": "\uFEFFa\r\nb\r\n" });
    await value(tool(), { path: "win.txt", content: "a\nb\nc\n" });
    expect(await ws.read("win.txt")).toBe("\uFEFFa\r\nb\r\nc\r\n");
    await ws.write({ "unix.txt": "a\n" });
    await value(tool(), { path: "unix.txt", content: "b\r\n" });
    expect(await ws.read("unix.txt")).toBe("b\r\n");
  });

  it("writes content literally", async () => {
    const content = ["$& $1 $$", "`$", "{x}` \\n \u0000 é 😀"].join("");
    await value(tool(), { path: "weird.txt", content });
    expect(await ws.read("weird.txt")).toBe(content);
  });

  it("refuses writes into .git and outside the workspace", async () => {
    await ws.write({ ".git/config": "[core]\n" });
    expect(await failure(tool(), { path: ".git/config", content: "x" })).toMatch(/inside \.git/);
    expect(await failure(tool(), { path: ".git/hooks/pre-commit", content: "x" })).toMatch(
      /inside \.git/,
    );
    expect(await failure(tool(), { path: "../ws-evil/x", content: "x" })).toMatch(/outside/);
    expect(await failure(tool(), { path: "/tmp/planted", content: "x" })).toMatch(/outside/);
    expect(await ws.read(".git/config")).toBe("[core]\n");
    expect(await fs.readdir(ws.sibling)).toEqual(["secret.txt"]);
  });

  it("refuses to write over a folder", async () => {
    await fs.mkdir(path.join(ws.root, "dir"));
    expect(await failure(tool(), { path: "dir", content: "x" })).toMatch(/"dir" is a folder/);
    expect(await failure(tool(), { path: ".", content: "x" })).toMatch(/is a folder/);
  });

  it("explains a path whose parent is a file", async () => {
    await ws.write({ "a.txt": "x" });
    expect(await failure(tool(), { path: "a.txt/b.txt", content: "x" })).toMatch(
      /is a file, not a folder/,
    );
  });

  it.runIf(posix)("cannot be redirected outside by links a shell command planted", async () => {
    const shell = createRunShellTool({ root: ws.root });
    const planted = await value(shell, {
      command: `ln -s ${JSON.stringify(ws.outside)} out && ln -s ${JSON.stringify(path.join(ws.outside, "secret.txt"))} s.txt && ln -s ${JSON.stringify(path.join(ws.outside, "new.txt"))} dangling && ln -s .git g`,
    });
    expect(planted).toMatch(/^exit 0/);
    await ws.write({ ".git/config": "[core]\n" });
    for (const target of ["out/secret.txt", "out/new.txt", "s.txt", "dangling", "g/config"]) {
      expect(await failure(tool(), { path: target, content: "pwned" })).toMatch(
        /symbolic link|inside \.git/,
      );
    }
    expect((await fs.readdir(ws.outside)).sort()).toEqual(["secret.txt"]);
    expect(await fs.readFile(path.join(ws.outside, "secret.txt"), "utf8")).toBe("TOP SECRET\n");
    expect(await ws.read(".git/config")).toBe("[core]\n");
  });

  it.runIf(posix)("writes through a link that stays inside, keeping the link", async () => {
    await ws.write({ "real.txt": "old" });
    await fs.symlink("real.txt", path.join(ws.root, "alias.txt"));
    await value(tool(), { path: "alias.txt", content: "new" });
    expect(await ws.read("real.txt")).toBe("new");
    expect((await fs.lstat(path.join(ws.root, "alias.txt"))).isSymbolicLink()).toBe(true);
  });
});
