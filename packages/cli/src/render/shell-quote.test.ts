import { describe, expect, it } from "vitest";
import { shellQuote } from "./shell-quote.js";

describe("shellQuote", () => {
  it("leaves plain paths and ids alone", () => {
    expect(shellQuote("/tmp/gemma-coder-demo-a1B2")).toBe("/tmp/gemma-coder-demo-a1B2");
    expect(shellQuote("20250102-030405-a1b2c3")).toBe("20250102-030405-a1b2c3");
    expect(shellQuote("C:\\Users\\me\\repo")).toBe("C:\\Users\\me\\repo");
  });

  it("quotes spaces and escapes what a double-quoted shell word would expand", () => {
    expect(shellQuote("/home/me/my repo")).toBe('"/home/me/my repo"');
    expect(shellQuote('say "hi" for $5 `now`')).toBe('"say \\"hi\\" for \\$5 \\`now\\`"');
    expect(shellQuote("")).toBe('""');
  });
});
