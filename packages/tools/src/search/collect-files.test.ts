import { describe, expect, it } from "vitest";
import { expandBraces } from "./collect-files.js";

describe("expandBraces", () => {
  it("expands alternatives, nested in sequence", () => {
    expect(expandBraces("*.{ts,tsx}")).toEqual(["*.ts", "*.tsx"]);
    expect(expandBraces("{src,test}/*.{js,ts}")).toEqual([
      "src/*.js",
      "src/*.ts",
      "test/*.js",
      "test/*.ts",
    ]);
    expect(expandBraces("plain/*.py")).toEqual(["plain/*.py"]);
  });

  it("caps a hostile glob", () => {
    expect(expandBraces("{a,b}".repeat(40)).length).toBeLessThanOrEqual(64);
  });
});
