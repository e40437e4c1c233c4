import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyFixture, type FixtureCopy } from "../__fixtures__/copy-fixture.js";
import { runTool } from "../__fixtures__/run-tool.js";
import { RepoMap } from "../repo-map.js";
import { createFindReferencesTool, createFindSymbolTool } from "./symbol-tools.js";

let fixture: FixtureCopy | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

async function setUp(limit?: number) {
  fixture = await copyFixture();
  const map = new RepoMap({ root: fixture.root, cacheDir: fixture.cache });
  return [createFindSymbolTool({ map, limit }), createFindReferencesTool({ map, limit })];
}

describe("find_symbol", () => {
  it("says where a name is defined, with line, signature and kind, in any language", async () => {
    const tools = await setUp();
    expect(await runTool(tools, "find_symbol", { name: "Record" })).toEqual({
      ok: true,
      text: "1 definition of Record:\nsvc/ledger.go:16: func (l *Ledger) Record(account string, cents int) (method)",
    });
    expect((await runTool(tools, "find_symbol", { name: "LruCache" })).text).toContain(
      "native/cache.cpp:5: class LruCache (class)",
    );
    // The declaration in the header and the definition in the source are both listed.
    expect((await runTool(tools, "find_symbol", { name: "fnv1a" })).text).toBe(
      "2 definitions of fnv1a:\nnative/hash.c:3: uint32_t fnv1a(const char *text) (function)\nnative/hash.h:5: uint32_t fnv1a(const char *text); (function)",
    );
  });

  it("narrows to a path inside the workspace and refuses one outside it", async () => {
    const tools = await setUp();
    expect((await runTool(tools, "find_symbol", { name: "main", path: "engine" })).text).toBe(
      "1 definition of main:\nengine/src/main.rs:3: fn main() (function)",
    );
    const outside = await runTool(tools, "find_symbol", { name: "main", path: "../" });
    expect(outside).toEqual({ ok: false, text: expect.stringContaining("outside the workspace") });
    const absolute = await runTool(tools, "find_references", { name: "main", path: "/etc" });
    expect(absolute.ok).toBe(false);
  });

  it("does not follow a symbolic link out of the workspace", async () => {
    const tools = await setUp();
    const outside = path.join(path.dirname(fixture?.root as string), "outside");
    await fs.mkdir(outside);
    await fs.writeFile(path.join(outside, "secret.py"), "def leaked_secret():\n    pass\n");
    await fs.symlink(outside, path.join(fixture?.root as string, "linked"));
    expect((await runTool(tools, "find_symbol", { name: "leaked_secret" })).text).toMatch(
      /^No definition/,
    );
    expect((await runTool(tools, "find_symbol", { name: "x", path: "linked" })).ok).toBe(false);
  });

  it("refuses what is not an identifier", async () => {
    const tools = await setUp();
    expect(await runTool(tools, "find_symbol", { name: "a b; rm -rf /" })).toEqual({
      ok: false,
      text: expect.stringContaining("is not an identifier"),
    });
  });
});

describe("find_references", () => {
  it("lists every use across files, for renaming or changing a signature", async () => {
    const tools = await setUp();
    expect((await runTool(tools, "find_references", { name: "InventoryStore" })).text).toBe(
      [
        "5 uses of InventoryStore in 2 files:",
        "cli.py:2",
        "cli.py:6",
        "inventory/report.py:1",
        "inventory/report.py:4",
        "inventory/report.py:9",
      ].join("\n"),
    );
  });

  it("caps the list and says how many were left out", async () => {
    const tools = await setUp(2);
    const text = (await runTool(tools, "find_references", { name: "InventoryStore" })).text;
    expect(text.split("\n")).toHaveLength(4);
    expect(text).toContain("(3 more not shown; pass path to narrow the search)");
  });
});
