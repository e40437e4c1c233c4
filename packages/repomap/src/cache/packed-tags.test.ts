import { describe, expect, it } from "vitest";
import { definitionAt, joinStrings, packTags, referenceAt, StringTable } from "./packed-tags.js";

describe("StringTable", () => {
  it("cuts strings out of the joined text it was read with, and adds new ones after them", () => {
    const { joined, ends } = joinStrings(["alpha", "", "ünïcode ✓", "beta"]);
    const table = new StringTable(joined, ends);
    expect([0, 1, 2, 3].map((id) => table.at(id))).toEqual(["alpha", "", "ünïcode ✓", "beta"]);
    expect(table.intern("beta")).toBe(3);
    expect(table.intern("gamma")).toBe(4);
    expect(table.intern("gamma")).toBe(4);
    expect(table.size).toBe(5);
    const again = table.toJoined();
    expect(new StringTable(again.joined, again.ends).at(4)).toBe("gamma");
  });
});

describe("packTags", () => {
  it("keeps every field of definitions and references, sharing repeated strings", () => {
    const table = new StringTable();
    const tags = {
      language: "python" as const,
      defs: [
        { name: "Store", kind: "class", line: 3, signature: "class Store:", depth: 0 },
        { name: "save", kind: "method", line: 5, signature: "def save(self):", depth: 1 },
      ],
      refs: [
        { name: "Store", line: 9 },
        { name: "save", line: 10 },
      ],
    };
    const packed = packTags(tags, table);
    expect(packed.language).toBe("python");
    expect(table.size).toBe(6); // Store, class, "class Store:", save, method, "def save(self):"
    expect([0, 1].map((i) => definitionAt(packed, i, table))).toEqual(tags.defs);
    expect([0, 1].map((i) => referenceAt(packed, i, table))).toEqual(tags.refs);
  });
});
