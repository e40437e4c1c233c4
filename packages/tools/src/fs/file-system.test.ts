import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failure, makeWorkspace, type TestWorkspace, value } from "../__fixtures__/workspace.js";
import { createTools } from "../create-tools.js";
import type { ToolFileSystem } from "./file-system.js";

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace();
});
afterEach(() => ws.cleanup());

/** A back-end holding "editor buffers" in memory, recording every call it gets. */
function memoryFs(buffers: Record<string, string>) {
  const calls: string[] = [];
  const backEnd: ToolFileSystem = {
    async readTextFile(absolutePath) {
      calls.push(`read ${absolutePath}`);
      const text = buffers[absolutePath];
      if (text === undefined) {
        throw Object.assign(new Error(`no such buffer ${absolutePath}`), { code: "ENOENT" });
      }
      return text;
    },
    async writeTextFile(absolutePath, content) {
      calls.push(`write ${absolutePath}`);
      buffers[absolutePath] = content;
    },
  };
  return { backEnd, calls, buffers };
}

const byName = (tools: ReturnType<typeof createTools>, name: string) =>
  tools.find((tool) => tool.name === name)!;

describe("a pluggable file-system back-end", () => {
  it("reads and edits through the back-end, leaving the disk alone", async () => {
    await ws.write({ "a.py": "on disk\n" });
    const file = path.join(ws.root, "a.py");
    const memory = memoryFs({ [file]: "unsaved\nbuffer\n" });
    const tools = createTools({ root: ws.root, fs: memory.backEnd });
    expect(await value(byName(tools, "read_file"), { path: "a.py" })).toBe("1| unsaved\n2| buffer");
    await value(byName(tools, "edit_file"), { path: "a.py", old: "buffer", new: "edited" });
    expect(memory.buffers[file]).toBe("unsaved\nedited\n");
    await value(byName(tools, "write_file"), { path: "b.txt", content: "new\n" });
    expect(memory.buffers[path.join(ws.root, "b.txt")]).toBe("new\n");
    expect(await fs.readFile(file, "utf8")).toBe("on disk\n");
    await expect(fs.stat(path.join(ws.root, "b.txt"))).rejects.toThrow();
  });

  it("keeps CRLF line ends of a buffer when editing it", async () => {
    const file = path.join(ws.root, "w.txt");
    const memory = memoryFs({ [file]: "one\r\ntwo\r\n" });
    const tools = createTools({ root: ws.root, fs: memory.backEnd });
    await value(byName(tools, "edit_file"), { path: "w.txt", old: "one\ntwo", new: "1\n2" });
    expect(memory.buffers[file]).toBe("1\r\n2\r\n");
  });

  it("confines paths before the back-end is called", async () => {
    const memory = memoryFs({});
    const tools = createTools({ root: ws.root, fs: memory.backEnd });
    await failure(byName(tools, "read_file"), { path: "../outside.txt" });
    await failure(byName(tools, "write_file"), { path: "/etc/passwd", content: "x" });
    await failure(byName(tools, "edit_file"), { path: ".git/config", old: "a", new: "b" });
    expect(memory.calls).toEqual([]);
  });
});
