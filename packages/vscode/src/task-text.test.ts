import { describe, expect, it } from "vitest";
import { askTaskText, fixTaskText } from "./task-text.js";

const selected = {
  path: "src/api.py",
  selection: "def f(x):\n    return x +",
  startLine: 10,
  endLine: 11,
};
const wholeFile = { path: "src/api.py", selection: "", startLine: 1, endLine: 1 };

describe("task text", () => {
  it("ask names the file, the line range and quotes the selection, and says not to change files", () => {
    const text = askTaskText("  What does f do? ", selected);
    expect(text).toContain("What does f do?");
    expect(text).toContain("src/api.py lines 10-11");
    expect(text).toContain("```\ndef f(x):\n    return x +\n```");
    expect(text).toContain("do not change any file");
  });

  it("ask about a whole file names the file only", () => {
    const text = askTaskText("Explain it", wholeFile);
    expect(text).toContain("This is about src/api.py.");
    expect(text).not.toContain("```");
  });

  it("fix names one line as a line, lists the reported problems, and quotes the selection", () => {
    const text = fixTaskText({ ...selected, endLine: 10 }, [
      "line 10: SyntaxError: invalid syntax",
    ]);
    expect(text).toMatch(/^Fix the bugs in src\/api\.py line 10\./);
    expect(text).toContain("- line 10: SyntaxError: invalid syntax");
    expect(text).toContain("def f(x):");
  });

  it("fix takes the person's words over the default", () => {
    expect(fixTaskText(wholeFile, [], "Make f handle None")).toMatch(
      /^Make f handle None in src\/api\.py\./,
    );
  });

  it("a selection with a fence gets a longer fence, and a huge one is named by lines only", () => {
    expect(askTaskText("q", { ...selected, selection: "```js\nx\n```" })).toContain("````\n```js");
    expect(askTaskText("q", { ...selected, selection: "x".repeat(5000) })).not.toContain("xxxx");
  });
});
