import { describe, expect, it } from "vitest";
import { LineSplitter } from "./line-splitter.js";

function split(chunks: string[], max = 100): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter(max, (line) => lines.push(line.toString()));
  for (const chunk of chunks) splitter.push(Buffer.from(chunk));
  splitter.end();
  return lines;
}

describe("LineSplitter", () => {
  it("joins lines across chunks and emits the last one without a newline", () => {
    expect(split(["ab", "c\nde", "f\n", "\ng"])).toEqual(["abc", "def", "", "g"]);
  });

  it("cuts long lines and drops their rest", () => {
    expect(split(["0123456789", "abc\nnext\n"], 4)).toEqual(["0123", "next"]);
  });
});
