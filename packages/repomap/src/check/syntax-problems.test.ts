import { describe, expect, it } from "vitest";
import type { LanguageId } from "../languages/languages.js";
import { syntaxProblems } from "./syntax-problems.js";

// A valid snippet per language and the same after a typical broken edit (a bracket or a
// colon lost, a half-written line), with the line the error must be reported on.
const CASES: Array<[LanguageId, valid: string, broken: string, line: number]> = [
  ["python", "def f(a):\n    return a + 1\n", "def f(a):\n    return (a + 1\n\nx = 2\n", 2],
  [
    "typescript",
    "export function f(a: number): number {\n  return a + 1;\n}\n",
    "export function f(a: number): number {\n  return a + ;\n}\n",
    2,
  ],
  ["tsx", "export const A = () => <div>{1}</div>;\n", "export const A = () => <div>{1}</di;\n", 1],
  [
    "javascript",
    "function f(a) {\n  return a + 1;\n}\n",
    "function f(a) {\n  return a + 1;\n\n",
    2,
  ],
  [
    "go",
    "package p\n\nfunc F(a int) int {\n\treturn a + 1\n}\n",
    "package p\n\nfunc F(a int) int {\n\treturn a +\n}\n",
    4,
  ],
  [
    "rust",
    "fn f(a: u32) -> u32 {\n    a + 1\n}\n",
    "fn f(a: u32) -> u32 {\n    let b = ;\n    a + 1\n}\n",
    2,
  ],
  [
    "java",
    "class A {\n  int f(int a) {\n    return a + 1;\n  }\n}\n",
    "class A {\n  int f(int a) {\n    return a + 1\n  }\n}\n",
    3,
  ],
  ["c", "int f(int a) {\n  return a + 1;\n}\n", "int f(int a) {\n  return a + ;\n}\n", 2],
  [
    "cpp",
    "class A {\n public:\n  int f(int a) { return a + 1; }\n};\n",
    "class A {\n public:\n  int f(int a) { return a + 1; \n};\n",
    1,
  ],
];

describe("syntaxProblems", () => {
  for (const [language, valid, broken, line] of CASES) {
    it(`finds the error a broken ${language} edit leaves, and none in valid code`, async () => {
      expect(await syntaxProblems(language, valid)).toEqual([]);
      const problems = await syntaxProblems(language, broken);
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.map((p) => p.line)).toContain(line);
      expect(problems[0]?.message).toMatch(/^syntax error at line \d+/);
    });
  }

  it("gives up quietly on a parse that runs out of time", async () => {
    const text = `x = ${"[".repeat(200_000)}`;
    expect(await syntaxProblems("python", text, 1)).toEqual([]);
  });
});
