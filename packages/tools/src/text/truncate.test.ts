import { describe, expect, it } from "vitest";
import { capLine, cleanTerminalOutput } from "./truncate.js";

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
