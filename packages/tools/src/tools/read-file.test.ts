import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  call,
  failure,
  makeWorkspace,
  type TestWorkspace,
  value,
} from "../__fixtures__/workspace.js";
import { createReadFileTool, MAX_LINE_CHARS, MAX_READ_LINES } from "./read-file.js";

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace();
});
afterEach(() => ws.cleanup());

const tool = (maxOutputChars?: number) =>
  createReadFileTool(maxOutputChars ? { root: ws.root, maxOutputChars } : { root: ws.root });

describe("read_file", () => {
  it("returns numbered lines", async () => {
    await ws.write({ "a.py": "def f():\n    return 1\n" });
    expect(await value(tool(), { path: "a.py" })).toBe("1| def f():\n2|     return 1");
  });

  it("returns a line range and says how to read on", async () => {
    await ws.write({ "a.txt": Array.from({ length: 10 }, (_, i) => `line ${i + 1}`).join("\n") });
    expect(await value(tool(), { path: "a.txt", start_line: 3, end_line: 4 })).toBe(
      "3| line 3\n4| line 4\n[showing lines 3-4 of 10; use start_line=5 to read more]",
    );
    expect(await value(tool(), { path: "a.txt", start_line: 9, end_line: 50 })).toBe(
      "9| line 9\n10| line 10",
    );
  });

  it("takes off a byte-order mark and CRLF line ends", async () => {
    await ws.write({ "win.txt": Buffer.from("\uFEFFfirst\r\nsecond\r\n", "utf8") });
    expect(await value(tool(), { path: "win.txt" })).toBe("1| first\n2| second");
  });

  it("refuses binary files with a clear message", async () => {
    await ws.write({ "img.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]) });
    expect(await failure(tool(), { path: "img.png" })).toMatch(
      /"img.png" is a binary file \(8 bytes\); read_file only shows text/,
    );
    await ws.write({ "utf16.txt": Buffer.from("\uFEFFhi", "utf16le") });
    expect(await failure(tool(), { path: "utf16.txt" })).toMatch(/UTF-16/);
  });

  it("caps very long lines", async () => {
    await ws.write({ "min.js": `${"x".repeat(MAX_LINE_CHARS + 500)}\nnext\n` });
    const out = await value(tool(50_000), { path: "min.js" });
    expect(out).toContain("[... 500 more characters]");
    expect(out).toContain("2| next");
    expect(out.length).toBeLessThan(MAX_LINE_CHARS + 100);
  });

  it("stops at the output limit with a note", async () => {
    await ws.write({ "big.txt": Array.from({ length: 500 }, (_, i) => `row ${i + 1}`).join("\n") });
    const out = await value(tool(1000), { path: "big.txt" });
    expect(out.length).toBeLessThan(1200);
    expect(out).toMatch(
      /\[showing lines 1-\d+ of 500 \(output limit reached\); use start_line=\d+ to read more\]$/,
    );
    const next = Number(/start_line=(\d+)/.exec(out)![1]);
    const more = await value(tool(1000), { path: "big.txt", start_line: next });
    expect(more.startsWith(`${next}| row ${next}\n`)).toBe(true);
  });

  it("stops at the line cap with a note", async () => {
    const count = MAX_READ_LINES + 10;
    await ws.write({ "many.txt": "x\n".repeat(count) });
    const out = await value(tool(1_000_000), { path: "many.txt" });
    expect(out.split("\n")).toHaveLength(MAX_READ_LINES + 1);
    expect(out).toMatch(
      new RegExp(
        `\\[showing lines 1-${MAX_READ_LINES} of ${count} \\(at most ${MAX_READ_LINES} lines per call\\)`,
      ),
    );
  });

  it("reads the start of a large file without loading it", async () => {
    const file = path.join(ws.root, "huge.log");
    const handle = await fs.open(file, "w");
    const block = Buffer.from("0123456789abcdef\n".repeat(4096));
    for (let i = 0; i < 1200; i++) await handle.write(block); // about 80 MB
    await handle.close();
    const before = process.memoryUsage().rss;
    const out = await value(tool(), { path: "huge.log", end_line: 3 });
    expect(out.split("\n").slice(0, 3)).toEqual([
      "1| 0123456789abcdef",
      "2| 0123456789abcdef",
      "3| 0123456789abcdef",
    ]);
    expect(out).toMatch(/\[showing lines 1-3; the file continues; use start_line=4/);
    expect(process.memoryUsage().rss - before).toBeLessThan(40 * 1024 * 1024);
  });

  it("says (empty file) for an empty file", async () => {
    await ws.write({ "empty.txt": "" });
    expect(await value(tool(), { path: "empty.txt" })).toBe("(empty file)");
  });

  it("explains a range past the end or backwards", async () => {
    await ws.write({ "a.txt": "1\n2\n3\n" });
    expect(await failure(tool(), { path: "a.txt", start_line: 9 })).toBe(
      'start_line 9 is past the end of "a.txt" (3 lines).',
    );
    expect(await failure(tool(), { path: "a.txt", start_line: 3, end_line: 2 })).toMatch(
      /end_line \(2\) is before start_line \(3\)/,
    );
  });

  it("turns file system errors into short messages", async () => {
    await ws.write({ "dir/a.txt": "x" });
    expect(await failure(tool(), { path: "missing.txt" })).toBe(
      '"missing.txt" does not exist. Use list_files to see what is there.',
    );
    expect(await failure(tool(), { path: "dir" })).toMatch(/"dir" is a folder/);
    expect(await failure(tool(), { path: "dir/a.txt/x" })).toMatch(
      /is a file, not a folder|does not exist/,
    );
    const message = await failure(tool(), { path: "missing.txt" });
    expect(message).not.toContain(ws.root);
  });

  it.runIf(process.platform !== "win32")("refuses a FIFO instead of hanging on it", async () => {
    execFileSync("mkfifo", [path.join(ws.root, "pipe")]);
    expect(await failure(tool(), { path: "pipe" })).toMatch(/not a regular file/);
  });

  it("refuses paths outside the workspace, including through links", async () => {
    await fs.symlink(path.join(ws.outside, "secret.txt"), path.join(ws.root, "s.txt"));
    for (const p of [
      "../outside/secret.txt",
      "s.txt",
      path.join(ws.outside, "secret.txt"),
      "~/x",
    ]) {
      const outcome = await call(tool(), { path: p });
      expect(outcome.ok).toBe(false);
      expect(JSON.stringify(outcome)).not.toContain("TOP SECRET");
    }
  });

  it("stops when the run is aborted", async () => {
    await ws.write({ "a.txt": "x\n" });
    const controller = new AbortController();
    controller.abort();
    const outcome = await call(tool(), { path: "a.txt" }, controller.signal);
    expect(outcome).toEqual({ ok: false, error: "The operation was aborted." });
  });
});
