import { describe, expect, it } from "vitest";
import { formatToolResult, truncateMiddle } from "./tool-result.js";

const unwrap = (message: string) => {
  expect(message.startsWith("<tool_result>\n")).toBe(true);
  expect(message.endsWith("\n</tool_result>")).toBe(true);
  return JSON.parse(message.slice("<tool_result>\n".length, -"\n</tool_result>".length));
};

describe("truncateMiddle", () => {
  it("leaves short text alone", () => {
    expect(truncateMiddle("abc", 10)).toBe("abc");
  });

  it("keeps head and tail and says how much was cut", () => {
    const text = `HEAD${"x".repeat(10_000)}TAIL`;
    const out = truncateMiddle(text, 100, "read a line range to see more");
    expect(out.startsWith("HEAD")).toBe(true);
    expect(out.endsWith("TAIL")).toBe(true);
    expect(out).toContain("[... 9908 characters omitted; read a line range to see more ...]");
    expect(out.length).toBeLessThan(200);
  });

  it("never splits a surrogate pair", () => {
    const out = truncateMiddle("😀".repeat(100), 11);
    expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(out).not.toMatch(/(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });
});

describe("formatToolResult", () => {
  it("wraps a value", () => {
    expect(unwrap(formatToolResult({ ok: true, value: { lines: 3 } }))).toEqual({
      ok: true,
      value: { lines: 3 },
    });
  });

  it("wraps an error", () => {
    expect(unwrap(formatToolResult({ ok: false, error: "no such file" }))).toEqual({
      ok: false,
      error: "no such file",
    });
  });

  it("sends undefined as null", () => {
    expect(unwrap(formatToolResult({ ok: true, value: undefined }))).toEqual({
      ok: true,
      value: null,
    });
  });

  it("truncates long string values and errors head+tail", () => {
    const value = unwrap(
      formatToolResult({ ok: true, value: "a".repeat(50_000) }, { maxChars: 1000 }),
    ).value;
    expect(value).toContain("characters omitted");
    expect(value.length).toBeLessThan(1100);
    const error = unwrap(
      formatToolResult({ ok: false, error: "e".repeat(50_000) }, { maxChars: 500 }),
    ).error;
    expect(error.length).toBeLessThan(600);
  });

  it("turns an oversized object into truncated text", () => {
    const big = { items: Array.from({ length: 5000 }, (_, i) => `item-${i}`) };
    const value = unwrap(formatToolResult({ ok: true, value: big }, { maxChars: 300 })).value;
    expect(typeof value).toBe("string");
    expect(value.startsWith('{"items":["item-0"')).toBe(true);
    expect(value).toContain("characters omitted");
  });

  it("adds a note", () => {
    expect(unwrap(formatToolResult({ ok: true, value: 1 }, { note: "careful" }))).toEqual({
      ok: true,
      value: 1,
      note: "careful",
    });
  });
});
