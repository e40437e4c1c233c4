import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { definitionAt, packTags, StringTable } from "./packed-tags.js";
import { readTagCache, type TagCacheData, writeTagCache } from "./tag-cache.js";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const def = (name: string, line: number) => ({
  name,
  kind: "function",
  line,
  signature: `def ${name}():`,
  depth: 0,
});

it("reads back what it wrote, keeping only tags and strings that files still use", async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "gemma-tag-cache-"));
  const file = path.join(dir, "tags.bin");
  const table = new StringTable();
  const data: TagCacheData = { table, files: new Map(), tags: new Map() };
  const hashes = ["a", "b", "c"].map((c) => c.repeat(64));
  data.tags.set(
    hashes[0] as string,
    packTags(
      { language: "python", defs: [def("kept", 2)], refs: [{ name: "used", line: 4 }] },
      table,
    ),
  );
  data.tags.set(
    hashes[1] as string,
    packTags({ language: "go", defs: [def("orphan", 1)], refs: [] }, table),
  );
  data.tags.set(hashes[2] as string, { language: "c", skipped: "generated", defs: [], refs: [] });
  data.files.set("src/kept.py", {
    size: 10,
    mtimeMs: 1700000000123.456,
    hash: hashes[0] as string,
  });
  data.files.set("copy/kept.py", { size: 10, mtimeMs: 1, hash: hashes[0] as string });
  data.files.set("gen.c", { size: 3, mtimeMs: 2, hash: hashes[2] as string });
  await writeTagCache(file, "format-1", data);

  const read = await readTagCache(file, "format-1");
  expect([...read.files]).toEqual([...data.files]);
  expect([...read.tags.keys()].sort()).toEqual([hashes[0], hashes[2]]);
  const kept = read.tags.get(hashes[0] as string);
  expect(kept?.language).toBe("python");
  expect(kept && definitionAt(kept, 0, read.table)).toEqual(def("kept", 2));
  expect(read.tags.get(hashes[2] as string)).toMatchObject({ language: "c", skipped: "generated" });
  // "orphan" and its signature went with the file that used them.
  const strings = Array.from({ length: read.table.size }, (_, id) => read.table.at(id));
  expect(strings).not.toContain("orphan");
  expect(strings).toContain("used");
  // Another format tag (other queries) reads as empty.
  expect((await readTagCache(file, "format-2")).files.size).toBe(0);
});
