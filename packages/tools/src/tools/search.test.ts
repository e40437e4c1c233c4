import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failure, makeWorkspace, type TestWorkspace, value } from "../__fixtures__/workspace.js";
import type { SearchBackendName } from "../options.js";
import { findExecutable } from "../search/find-executable.js";
import { createSearchTool, MAX_SEARCH_MATCHES } from "./search.js";

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace();
});
afterEach(() => ws.cleanup());

const backends: SearchBackendName[] = ["js"];
for (const name of ["rg", "grep"] as const) if (await findExecutable(name)) backends.push(name);

describe.each(backends)("search (%s)", (backend) => {
  const tool = (maxOutputChars?: number) =>
    createSearchTool(
      maxOutputChars
        ? { root: ws.root, searchBackend: backend, maxOutputChars }
        : { root: ws.root, searchBackend: backend },
    );

  it("prints path:line:text", async () => {
    await ws.write({ "a.py": "x = 1\ny = foo(2)\n", "b/c.py": "foo()\n" });
    expect(await value(tool(), { pattern: "foo\\(" })).toBe("a.py:2:y = foo(2)\nb/c.py:1:foo()");
    expect(await value(tool(), { pattern: "FOO", ignore_case: true, path: "b" })).toBe(
      "b/c.py:1:foo()",
    );
    expect(await value(tool(), { pattern: "foo(", fixed: true, glob: "*.py" })).toBe(
      "a.py:2:y = foo(2)\nb/c.py:1:foo()",
    );
  });

  it("passes a pattern that looks like an option as a pattern", async () => {
    await ws.write({ "a.txt": "rm -rf /\n--version\n" });
    expect(await value(tool(), { pattern: "-rf" })).toBe("a.txt:1:rm -rf /");
    expect(await value(tool(), { pattern: "--version" })).toBe("a.txt:2:--version");
    expect(await value(tool(), { pattern: "--files" })).toMatch(/^No matches/);
  });

  it("says when nothing matched, and how many files it searched", async () => {
    await ws.write({ "a.txt": "x\n", ".gitignore": "*.log\n", "b.log": "needle\n" });
    expect(await value(tool(), { pattern: "needle" })).toBe(
      'No matches for "needle" in the workspace (1 file searched).',
    );
  });

  it("caps the matches with a note", async () => {
    await ws.write({ "many.txt": "hit\n".repeat(MAX_SEARCH_MATCHES + 20) });
    const lines = (await value(tool(), { pattern: "hit" })).split("\n");
    expect(lines).toHaveLength(MAX_SEARCH_MATCHES + 1);
    expect(lines.at(-1)).toBe(
      `[... more matches not shown (showing ${MAX_SEARCH_MATCHES}); narrow the pattern, path or glob ...]`,
    );
    const small = (await value(tool(200), { pattern: "hit" })).split("\n");
    expect(small.length).toBeLessThan(20);
    expect(small.at(-1)).toMatch(/more matches not shown/);
  });

  it("shows long lines around a fixed match", async () => {
    await ws.write({ "min.js": `${"a".repeat(3000)}NEEDLE${"b".repeat(3000)}\n` });
    const out = await value(tool(), { pattern: "NEEDLE", fixed: true });
    expect(out).toMatch(/^min\.js:1:\.\.\.a+NEEDLEb+\.\.\.$/);
    expect(out.length).toBeLessThan(330);
  });

  it("refuses bad patterns and paths with short messages", async () => {
    await ws.write({ "a.txt": "x\n" });
    expect(await failure(tool(), { pattern: "a(" })).toMatch(/^Invalid search pattern/);
    expect(await failure(tool(), { pattern: "" })).toBe("pattern is empty.");
    expect(await failure(tool(), { pattern: "a\nb" })).toMatch(/line break/);
    expect(await failure(tool(), { pattern: "x", path: "../ws-evil" })).toMatch(/outside/);
    expect(await failure(tool(), { pattern: "x", path: "/etc" })).toMatch(/outside/);
    expect(await failure(tool(), { pattern: "x", path: "nope" })).toMatch(/does not exist/);
  });
});
