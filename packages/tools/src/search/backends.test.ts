import { promises as fs } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type TestWorkspace } from "../__fixtures__/workspace.js";
import type { SearchBackendName } from "../options.js";
import { findExecutable } from "./find-executable.js";
import { type SearchWorkspaceResult, searchWorkspace } from "./search-workspace.js";

let ws: TestWorkspace;
const available: SearchBackendName[] = ["js"];
let missing: string[] = [];

beforeAll(async () => {
  ws = await makeWorkspace();
  await ws.write({
    ".gitignore": "*.log\nbuild/\n!keep.log\n",
    "app.log": "needle in an ignored log\n",
    "keep.log": "needle kept by negation\n",
    "build/out.js": "needle in build\n",
    ".hidden/secret.txt": "needle hidden\n",
    "src/main.py": "import os\n\ndef needle(x):\n    return x + 42\n\nNEEDLE = needle(1)\n",
    "src/util.py": "def helper():\n    pass  # needle-ish\n",
    "src/nested/.gitignore": "gen_*.py\n",
    "src/nested/gen_api.py": "needle generated\n",
    "src/nested/deep.py": "value = 'needle' if a.b(c) else -rf\n",
    "docs/crlf.txt": "first needle\r\nsecond\r\nthird needle\r\n",
    "docs/no-newline.txt": "last needle",
    "docs/bom.txt": "\uFEFFneedle at start\nnext\n",
    "docs/unicode.md": "naïve needle café\nzürich --help\n",
    "odd names/a b:c.txt": "needle in odd name\n",
    "-rf.txt": "needle in dash file\n--help here\n",
    "bin/blob.bin": Buffer.concat([Buffer.from("needle\n"), Buffer.from([0, 1, 2])]),
    "long.txt": `${"x".repeat(5000)} needle ${"y".repeat(5000)}\n`,
  });
  await fs.symlink(path.join(ws.outside, "secret.txt"), path.join(ws.root, "link.txt"));
  await fs.writeFile(path.join(ws.outside, "secret.txt"), "needle outside\n");
  await fs.symlink(ws.outside, path.join(ws.root, "outdir"));
  for (const name of ["rg", "grep"] as const) {
    if (await findExecutable(name)) available.push(name);
    else missing.push(name);
  }
  missing = [...missing];
});
afterAll(() => ws.cleanup());

const QUERIES = [
  { pattern: "needle", fixed: false, ignoreCase: false },
  { pattern: "needle", fixed: false, ignoreCase: true },
  { pattern: "^def \\w+\\(", fixed: false, ignoreCase: false },
  { pattern: "\\d+", fixed: false, ignoreCase: false },
  { pattern: "\\bneedle\\b", fixed: false, ignoreCase: false },
  { pattern: "needle$", fixed: false, ignoreCase: false },
  { pattern: "a.b(c)", fixed: true, ignoreCase: false },
  { pattern: "-rf", fixed: false, ignoreCase: false },
  { pattern: "--help", fixed: false, ignoreCase: false },
  { pattern: "--help", fixed: true, ignoreCase: false },
  { pattern: "café", fixed: true, ignoreCase: false },
  { pattern: "nothing-matches-this", fixed: false, ignoreCase: false },
  { pattern: "(?i)needle =", fixed: false, ignoreCase: false },
];

async function run(
  backend: SearchBackendName,
  query: (typeof QUERIES)[number],
  extra: { path?: string; glob?: string; maxHits?: number } = {},
): Promise<SearchWorkspaceResult> {
  return searchWorkspace({
    ...query,
    ...extra,
    root: ws.root,
    backend,
    maxHits: extra.maxHits ?? 100,
    timeoutMs: 20_000,
  });
}

describe("search back-ends agree on the same tree", () => {
  it("js finds exactly the expected lines (gitignore, hidden, binary, links)", async () => {
    const result = await run("js", QUERIES[0]!);
    expect(result.hits.map((hit) => `${hit.path}:${hit.line}`)).toEqual([
      "-rf.txt:1",
      "docs/bom.txt:1",
      "docs/crlf.txt:1",
      "docs/crlf.txt:3",
      "docs/no-newline.txt:1",
      "docs/unicode.md:1",
      "keep.log:1",
      "long.txt:1",
      "odd names/a b:c.txt:1",
      "src/main.py:3",
      "src/main.py:6",
      "src/nested/deep.py:1",
      "src/util.py:2",
    ]);
    expect(result.hits.find((hit) => hit.path === "docs/crlf.txt")?.text).toBe("first needle");
    expect(result.hits.find((hit) => hit.path === "docs/bom.txt")?.text).toBe("needle at start");
    expect(result.more).toBe(false);
  });

  it("grep and js return identical results", async (context) => {
    if (!available.includes("grep")) {
      console.warn("skipping grep-vs-js comparison: grep is not on PATH");
      context.skip();
    }
    for (const query of QUERIES) {
      expect(await run("grep", query), JSON.stringify(query)).toEqual({
        ...(await run("js", query)),
        backend: "grep",
      });
    }
  });

  it("rg, grep and js return identical results", async (context) => {
    if (!available.includes("rg") || !available.includes("grep")) {
      console.warn(
        `skipping the rg-vs-grep-vs-js comparison: ${missing.join(" and ")} not on PATH (install ripgrep to run it)`,
      );
      context.skip();
    }
    for (const query of QUERIES) {
      const js = await run("js", query);
      expect(await run("rg", query), JSON.stringify(query)).toEqual({ ...js, backend: "rg" });
      expect(await run("grep", query), JSON.stringify(query)).toEqual({ ...js, backend: "grep" });
    }
  });

  it("agree on paths, globs and the match cap", async () => {
    const cases: { path?: string; glob?: string; maxHits?: number }[] = [
      { path: "src" },
      { path: "docs/crlf.txt" },
      { glob: "*.py" },
      { glob: "src/*.py" },
      { glob: "*.{txt,md}" },
      { maxHits: 3 },
      { path: "build" },
    ];
    for (const extra of cases) {
      const js = await run("js", QUERIES[0]!, extra);
      for (const backend of available.filter((name) => name !== "js")) {
        expect(
          await run(backend, QUERIES[0]!, extra),
          `${backend} ${JSON.stringify(extra)}`,
        ).toEqual({
          ...js,
          backend,
        });
      }
    }
    const capped = await run("js", QUERIES[0]!, { maxHits: 3 });
    expect(capped.hits).toHaveLength(3);
    expect(capped.more).toBe(true);
    // An explicitly named ignored folder is searched.
    expect((await run("js", QUERIES[0]!, { path: "build" })).hits).toHaveLength(1);
  });

  it("each back-end reports an invalid pattern as a short message", async () => {
    for (const backend of available) {
      await expect(
        run(backend, { pattern: "foo(", fixed: false, ignoreCase: false }),
      ).rejects.toThrow(
        /^Invalid search pattern: .+ Set fixed: true to search for the literal text\.$/s,
      );
    }
  });

  it("the js back-end stops a catastrophic regular expression at the timeout", async () => {
    await ws.write({ "redos.txt": `${"a".repeat(40)}!\n` });
    const result = await searchWorkspace({
      pattern: "^(a+)+$",
      fixed: false,
      ignoreCase: false,
      root: ws.root,
      path: "redos.txt",
      backend: "js",
      maxHits: 10,
      timeoutMs: 300,
    });
    expect(result.timedOut).toBe(true);
    expect(result.hits).toEqual([]);
  });

  it("stops when aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    for (const backend of available) {
      await expect(
        searchWorkspace({
          ...QUERIES[0]!,
          root: ws.root,
          backend,
          maxHits: 10,
          timeoutMs: 10_000,
          signal: controller.signal,
        }),
      ).rejects.toThrow();
    }
  });
});
