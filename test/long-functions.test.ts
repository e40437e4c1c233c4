import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
// A plain .mjs script, also runnable alone: `node scripts/long-functions.mjs`.
import { findLongFunctions } from "../scripts/long-functions.mjs";

describe("function length", () => {
  it("no function in packages/*/src is longer than 80 lines without a reason written above it", {
    timeout: 60_000,
  }, () => {
    // Each entry names a function to shorten, or to mark with `// long-function: <reason>`.
    expect(findLongFunctions()).toEqual([]);
  });
});

describe("findLongFunctions", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "long-functions-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const body = (lines: number) =>
    Array.from({ length: lines }, (_, i) => `  x += ${i};`).join("\n");

  it("lists a long function, an arrow function and a method, and skips short ones", async () => {
    const file = path.join(dir, "a.ts");
    await writeFile(
      file,
      [
        `export function long(): number {\n  let x = 0;\n${body(10)}\n  return x;\n}`,
        `export const arrow = () => {\n  let x = 0;\n${body(10)}\n  return x;\n};`,
        `class C {\n  method(): number {\n    let x = 0;\n${body(10)}\n    return x;\n  }\n}`,
        "export function short(): number {\n  return 1;\n}",
      ].join("\n\n"),
    );
    const found = findLongFunctions({ limit: 10, files: [file] });
    expect(found.map((f: { name: string }) => f.name)).toEqual(["long", "arrow", "method"]);
  });

  it("accepts a `// long-function:` reason in the comments just above, not an empty one", async () => {
    const file = path.join(dir, "b.ts");
    await writeFile(
      file,
      [
        `/** Docs. */\n// long-function: one table of cases, read top to bottom\nexport function ok(): number {\n  let x = 0;\n${body(10)}\n  return x;\n}`,
        `// long-function:\nexport function empty(): number {\n  let x = 0;\n${body(10)}\n  return x;\n}`,
        `// long-function: a reason\n\nexport function detached(): number {\n  let x = 0;\n${body(10)}\n  return x;\n}`,
      ].join("\n\n"),
    );
    const found = findLongFunctions({ limit: 10, files: [file] });
    expect(found.map((f: { name: string }) => f.name)).toEqual(["empty", "detached"]);
  });
});
