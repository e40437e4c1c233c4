import { describe, expect, it } from "vitest";
import { formatCallResult } from "./format-result.js";

describe("formatCallResult", () => {
  it("joins text blocks and reports isError", () => {
    expect(
      formatCallResult(
        {
          content: [
            { type: "text", text: "a" },
            { type: "text", text: "b" },
          ],
        },
        100,
      ),
    ).toEqual({ text: "a\nb", isError: false });
    expect(
      formatCallResult({ content: [{ type: "text", text: "no" }], isError: true }, 100),
    ).toEqual({ text: "no", isError: true });
  });

  it("describes binary content and resource links instead of inlining them", () => {
    const { text } = formatCallResult(
      {
        content: [
          { type: "audio", data: "AAAA", mimeType: "audio/wav" },
          { type: "resource_link", uri: "file:///a.txt", name: "a.txt", description: "notes" },
          {
            type: "resource",
            resource: { uri: "file:///b.bin", blob: "AAAAAAAA", mimeType: "application/zip" },
          },
        ],
      },
      1000,
    );
    expect(text).toBe(
      "[audio: audio/wav, 3 bytes, not shown]\n[resource link: a.txt file:///a.txt (notes)]\n[resource file:///b.bin: application/zip, 6 bytes, not shown]",
    );
  });

  it("adds structured content unless a text block repeats it", () => {
    expect(formatCallResult({ content: [], structuredContent: { a: 1 } }, 100).text).toBe(
      '{"a":1}',
    );
    expect(
      formatCallResult(
        { content: [{ type: "text", text: '{ "a": 1 }' }], structuredContent: { a: 1 } },
        100,
      ).text,
    ).toBe('{ "a": 1 }');
  });

  it("caps the whole text, keeping head and tail", () => {
    const { text } = formatCallResult(
      { content: [{ type: "text", text: `H${"x".repeat(10_000)}T` }] },
      500,
    );
    expect(text.length).toBeLessThanOrEqual(600);
    expect(text.startsWith("H")).toBe(true);
    expect(text.endsWith("T")).toBe(true);
  });

  it("says so when there is no output", () => {
    expect(formatCallResult({ content: [] }, 100).text).toBe("(no output)");
  });
});
