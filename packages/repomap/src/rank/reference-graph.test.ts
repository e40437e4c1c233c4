import { expect, it } from "vitest";
import { packTags, StringTable } from "../cache/packed-tags.js";
import { definitionTable } from "./definition-table.js";
import { referenceGraph } from "./reference-graph.js";

// One file uses `handle` once; 60 others each define it: 60 edges from one reference, more
// than the edge list's first guess holds, so it has to grow and keep what it had.
it("keeps every edge when there are many more edges than references", () => {
  const strings = new StringTable();
  const tags = [
    packTags({ language: "python", defs: [], refs: [{ name: "handle", line: 3 }] }, strings),
  ];
  for (let f = 1; f <= 60; f++) {
    const defs = [
      { name: "handle", kind: "function", line: f, signature: "def handle():", depth: 0 },
    ];
    tags.push(packTags({ language: "python", defs, refs: [] }, strings));
  }
  const defs = definitionTable(tags, strings.size);
  const graph = referenceGraph(tags, defs, strings, {
    mentioned: () => false,
    inFocus: () => false,
  });

  expect(graph.size).toBe(61);
  expect(graph.from.length).toBe(60);
  expect([...graph.from].every((f) => f === 0)).toBe(true);
  expect([...graph.to].sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  // Each edge points at the one definition in its file.
  for (let e = 0; e < 60; e++) {
    const span = (graph.endDef[e] as number) - (graph.firstDef[e] as number);
    expect(span).toBe(1);
    expect(defs.file[defs.byName[graph.firstDef[e] as number] as number]).toBe(graph.to[e]);
  }
  // The name's weight is shared among the files defining it, so every edge weighs the same.
  expect(new Set(graph.weight).size).toBe(1);
  expect(graph.weight[0]).toBeGreaterThan(0);
});
