import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { call, makeWorkspace, pick, type TestWorkspace } from "./__fixtures__/workspace.js";
import { withApproval } from "./approval.js";
import { createTools } from "./create-tools.js";
import type { ApprovalRequest } from "./options.js";
import { createReadFileTool } from "./tools/read-file.js";
import { createWriteFileTool } from "./tools/write-file.js";

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace();
  await ws.write({ "a.txt": "one\n" });
});
afterEach(() => ws.cleanup());

describe("approval hook", () => {
  it("asks before each tool that changes something, with the validated input", async () => {
    const asked: ApprovalRequest[] = [];
    const tools = createTools({
      root: ws.root,
      approve: async (request) => {
        asked.push(request);
        return true;
      },
    });
    await call(pick(tools, "write_file"), { path: "b.txt", content: "x", extra: 1 });
    await call(pick(tools, "edit_file"), { path: "a.txt", old: "one", new: "two" });
    await call(pick(tools, "run_shell"), { command: "true" });
    await call(pick(tools, "read_file"), { path: "a.txt" });
    await call(pick(tools, "list_files"), {});
    await call(pick(tools, "search"), { pattern: "x" });
    expect(asked).toEqual([
      { tool: "write_file", input: { path: "b.txt", content: "x" } },
      { tool: "edit_file", input: { path: "a.txt", old: "one", new: "two" } },
      { tool: "run_shell", input: { command: "true" } },
    ]);
    expect(await ws.read("a.txt")).toBe("two\n");
  });

  it("tells the model about a denial and its reason, and changes nothing", async () => {
    const tools = createTools({
      root: ws.root,
      approve: ({ tool }) =>
        tool === "run_shell" ? { allow: false, reason: "no network commands" } : false,
    });
    expect(await call(pick(tools, "run_shell"), { command: "touch made.txt" })).toEqual({
      ok: false,
      error: "run_shell was denied by the user: no network commands. Do not retry the same call.",
    });
    expect(await call(pick(tools, "write_file"), { path: "a.txt", content: "x" })).toEqual({
      ok: false,
      error: "write_file was denied by the user. Do not retry the same call.",
    });
    expect(await ws.read("a.txt")).toBe("one\n");
    await expect(fs.access(path.join(ws.root, "made.txt"))).rejects.toThrow();
  });

  it("denies the call when the hook throws", async () => {
    const tool = withApproval(createWriteFileTool({ root: ws.root }), () => {
      throw new Error("ui crashed");
    });
    expect(await call(tool, { path: "a.txt", content: "x" })).toEqual({
      ok: false,
      error: "write_file was not run: the approval check failed.",
    });
    expect(await ws.read("a.txt")).toBe("one\n");
  });

  it("stops waiting for an answer when the run is aborted", async () => {
    const tool = withApproval(createWriteFileTool({ root: ws.root }), () => new Promise(() => {}));
    const controller = new AbortController();
    const pending = call(tool, { path: "a.txt", content: "x" }, controller.signal);
    controller.abort();
    expect(await pending).toEqual({ ok: false, error: "The operation was aborted." });
    expect(await ws.read("a.txt")).toBe("one\n");
  });

  it("leaves read-only tools as they are", () => {
    const read = createReadFileTool({ root: ws.root });
    expect(withApproval(read, () => false)).toBe(read);
  });
});

describe("createTools", () => {
  it("returns the six tools, read-only ones marked", () => {
    const tools = createTools({ root: ws.root });
    expect(tools.map((tool) => [tool.name, tool.readOnly === true])).toEqual([
      ["read_file", true],
      ["list_files", true],
      ["search", true],
      ["write_file", false],
      ["edit_file", false],
      ["run_shell", false],
    ]);
  });

  it("offers only the read tools in read-only mode", () => {
    expect(createTools({ root: ws.root, readOnly: true }).map((tool) => tool.name)).toEqual([
      "read_file",
      "list_files",
      "search",
    ]);
  });

  it("refuses a root that is not an existing folder", () => {
    expect(() => createTools({ root: path.join(ws.root, "missing") })).toThrow(
      /is not an existing folder/,
    );
    expect(() => createTools({ root: path.join(ws.root, "a.txt") })).toThrow(
      /is not an existing folder/,
    );
    expect(() => createTools({ root: "" })).toThrow(/needs a root/);
  });

  it("resolves a relative root against the current folder once", async () => {
    const relative = path.relative(process.cwd(), ws.root);
    const tools = createTools({ root: relative });
    expect(await call(pick(tools, "read_file"), { path: "a.txt" })).toEqual({
      ok: true,
      value: "1| one",
    });
  });
});
