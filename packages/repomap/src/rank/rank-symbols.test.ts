import { expect, it } from "vitest";
import { type PackedTags, packTags, StringTable } from "../cache/packed-tags.js";
import { rankSymbols } from "./rank-symbols.js";
import { taskTerms } from "./task-terms.js";

// Twelve files: each defines four functions (the last two used by nobody, so their scores
// tie within a file) and calls two functions of its neighbours.
function index(): { files: Map<string, PackedTags>; strings: StringTable } {
  const strings = new StringTable();
  const files = new Map<string, PackedTags>();
  for (let f = 0; f < 12; f++) {
    const defs = [0, 1, 2, 3].map((k) => ({
      name: `fn${f}_${k}`,
      kind: "function",
      line: 1 + k * 3,
      signature: `def fn${f}_${k}():`,
      depth: 0,
    }));
    const refs = [
      { name: `fn${(f + 1) % 12}_0`, line: 20 },
      { name: `fn${(f + 5) % 12}_1`, line: 21 },
      { name: "fn3_0", line: 22 },
    ];
    files.set(
      `m${String(f).padStart(2, "0")}.py`,
      packTags({ language: "python", defs, refs }, strings),
    );
  }
  return { files, strings };
}

it("returns the same best definitions with a limit as the head of the whole ranking", () => {
  const data = index();
  for (const task of ["", "fix fn7_3 and fn2_2", "m04.py"]) {
    const focus = { terms: taskTerms(task), focus: new Set(["m09.py"]) };
    const all = rankSymbols(data, focus).definitions;
    expect(all).toHaveLength(48);
    for (let limit = 0; limit <= 49; limit++) {
      expect(rankSymbols(data, focus, limit).definitions, `${task} / ${limit}`).toEqual(
        all.slice(0, limit),
      );
    }
  }
});

it("puts what the task names first, then used definitions, unused ones in file and line order", () => {
  const data = index();
  const { definitions } = rankSymbols(data, {
    terms: taskTerms("fn7_3 is slow"),
    focus: new Set(),
  });
  expect(definitions[0]).toMatchObject({ name: "fn7_3", file: "m07.py", mentioned: true });
  // fn3_0 is called from every file.
  expect(definitions[1]).toMatchObject({ name: "fn3_0" });
  const unused = definitions.filter((d) => /_[23]$/.test(d.name) && !d.mentioned);
  for (let i = 1; i < unused.length; i++) {
    const [a, b] = [unused[i - 1], unused[i]];
    if (a?.file === b?.file) expect((a?.line ?? 0) < (b?.line ?? 0)).toBe(true);
  }
});

it("ranks the file that calls what the task names right after the file defining it", () => {
  // config.py defines parse_config and app.py is its only caller; the Go files use each
  // other, so without the task they outrank app.py.
  const strings = new StringTable();
  const def = (name: string, line: number) => ({
    ...{ name, line, kind: "function", signature: `def ${name}():`, depth: 0 },
  });
  const ref = (name: string, line: number) => ({ name, line });
  const files = new Map<string, PackedTags>([
    [
      "py/config.py",
      packTags(
        { language: "python", defs: [def("parse_config", 3), def("default_config", 8)], refs: [] },
        strings,
      ),
    ],
    [
      "py/app.py",
      packTags(
        {
          language: "python",
          defs: [def("App", 3), def("start_server", 10)],
          refs: [ref("parse_config", 5), ref("default_config", 5)],
        },
        strings,
      ),
    ],
    [
      "go/compute.go",
      packTags(
        { language: "go", defs: [def("Compute", 4), def("helper", 8)], refs: [ref("helper", 5)] },
        strings,
      ),
    ],
    [
      "go/main.go",
      packTags(
        { language: "go", defs: [def("main", 5)], refs: [ref("Compute", 6), ref("helper", 7)] },
        strings,
      ),
    ],
    ["py/util.py", packTags({ language: "python", defs: [def("slugify", 1)], refs: [] }, strings)],
  ]);
  const { files: ranked, definitions } = rankSymbols(
    { files, strings },
    { terms: taskTerms("rename parse_config"), focus: new Set() },
  );
  expect(ranked.slice(0, 2).map((f) => f.file)).toEqual(["py/config.py", "py/app.py"]);
  expect(definitions[0]?.name).toBe("parse_config");
});
