import { describe, expect, it } from "vitest";
import { capLine, cleanTerminalOutput, truncateMiddle } from "./truncate.js";

describe("truncateMiddle", () => {
  it("returns short text unchanged", () => {
    expect(truncateMiddle("abc", 3)).toBe("abc");
  });

  it("keeps head and tail around a marker with a hint", () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join("\n");
    const out = truncateMiddle(text, 100, "use start_line to read more");
    expect(out.startsWith("line 0\n")).toBe(true);
    expect(out.endsWith("line 99")).toBe(true);
    expect(out).toMatch(
      /\n\[\.\.\. \d+ characters omitted; use start_line to read more \.\.\.\]\n/,
    );
    const omitted = Number(/(\d+) characters omitted/.exec(out)![1]);
    const kept = out.replace(/\n\[\.\.\..*\.\.\.\]\n/, "");
    expect(kept.length + omitted).toBe(text.length);
  });
});

describe("capLine", () => {
  it("cuts long lines and says by how much", () => {
    expect(capLine("abcdef", 10)).toBe("abcdef");
    expect(capLine("abcdef", 2)).toBe("ab [... 4 more characters]");
  });
});

describe("cleanTerminalOutput", () => {
  it("removes colour and cursor codes", () => {
    expect(cleanTerminalOutput("\u001b[1;31merror\u001b[0m: x\u001b[2K\u001b]0;title\u0007")).toBe(
      "error: x",
    );
  });

  it("keeps the final state of carriage-return progress lines, and CRLF lines", () => {
    expect(cleanTerminalOutput("10%\r50%\r100%\ndone\r\nnext")).toBe("100%\ndone\nnext");
  });
});
