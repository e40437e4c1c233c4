import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { formatToolResult } from "@gemma-coder/core";
import { afterEach, beforeEach, expect, it } from "vitest";
import { makeWorkspace, type TestWorkspace, value } from "../__fixtures__/workspace.js";
import { createReadFileTool } from "./read-file.js";

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace();
});
afterEach(() => ws.cleanup());

// docs/protocol.md shows the model a read_file result; it must be what the tool really returns.
it("returns what docs/protocol.md shows for a read_file result", async () => {
  await ws.write({ "calc.py": "def add(a, b):\n    return a - b\n" });
  const text = await value(createReadFileTool({ root: ws.root }), { path: "calc.py" });
  const docs = await readFile(
    path.join(path.dirname(fileURLToPath(import.meta.url)), "../../../../docs/protocol.md"),
    "utf8",
  );
  // The whole user message the model reads, tags included.
  expect(docs).toContain(formatToolResult({ ok: true, value: text }));
});
