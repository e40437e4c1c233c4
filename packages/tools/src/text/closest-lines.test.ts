import { describe, expect, it } from "vitest";
import { findClosestLines, findIgnoringWhitespace } from "./closest-lines.js";

const FILE = [
  "import os",
  "",
  "def load(path):",
  "    with open(path) as f:",
  "        return f.read()",
  "",
  "def save(path, data):",
  "    with open(path, 'w') as f:",
  "        f.write(data)",
];

describe("findIgnoringWhitespace", () => {
  it("finds a block whose indentation differs", () => {
    expect(
      findIgnoringWhitespace(FILE, "\ndef save(path, data):\n  with open(path, 'w') as f:\n"),
    ).toEqual({ line: 7, count: 2, score: 1 });
  });

  it("finds a single line part with different spacing", () => {
    expect(findIgnoringWhitespace(FILE, "return  f.read()")).toEqual({
      line: 5,
      count: 1,
      score: 1,
    });
  });

  it("returns undefined when the words differ", () => {
    expect(findIgnoringWhitespace(FILE, "def store(path):")).toBeUndefined();
    expect(findIgnoringWhitespace(FILE, "\n\n")).toBeUndefined();
  });
});

describe("findClosestLines", () => {
  it("finds the most similar run of lines", () => {
    const match = findClosestLines(FILE, "def save(pth, dat):\n    with open(pth, 'w') as fh:");
    expect(match?.line).toBe(7);
    expect(match?.count).toBe(2);
    expect(match!.score).toBeGreaterThan(0.6);
  });

  it("scores unrelated text low", () => {
    expect(findClosestLines(FILE, "zzzz qqqq xxxx")!.score).toBeLessThan(0.2);
    expect(findClosestLines([], "x")).toBeUndefined();
  });

  it("stays fast on a large file", () => {
    const big = Array.from(
      { length: 20_000 },
      (_, i) => `    value_${i} = compute(${i}, "${"x".repeat(i % 80)}")`,
    );
    const match = findClosestLines(
      big,
      `value_12345 = compute(12345, "${"x".repeat(12345 % 80)}")\nvalue_12346 = comp`,
    );
    expect(match?.line).toBe(12346);
  });
});
