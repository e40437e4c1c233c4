import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineDecoder } from "./line-decoder.js";

const encode = (text: string) => new TextEncoder().encode(text);

function decodeInPieces(bytes: Uint8Array, cuts: number[]): string[] {
  const decoder = new LineDecoder();
  const lines: string[] = [];
  let start = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    lines.push(...decoder.push(bytes.subarray(start, cut)));
    start = cut;
  }
  lines.push(...decoder.push(bytes.subarray(start)));
  lines.push(...decoder.flush());
  return lines;
}

describe("LineDecoder", () => {
  it("splits on LF, CRLF and lone CR", () => {
    expect(decodeInPieces(encode("a\nb\r\nc\rd"), [])).toEqual(["a", "b", "c", "d"]);
  });

  it("keeps empty lines, which end SSE events", () => {
    expect(decodeInPieces(encode("data: x\n\ndata: y\r\n\r\n"), [])).toEqual([
      "data: x",
      "",
      "data: y",
      "",
    ]);
  });

  it("does not turn a CRLF split across chunks into two line ends", () => {
    const bytes = encode("one\r\ntwo\r\n");
    expect(decodeInPieces(bytes, [4])).toEqual(["one", "two"]);
  });

  it("reassembles a multi-byte character split across chunks", () => {
    const bytes = encode("naštěp ✓\n");
    const lines = decodeInPieces(
      bytes,
      Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
    );
    expect(lines).toEqual(["naštěp ✓"]);
  });

  it("gives the same lines however the bytes are cut", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: "grapheme" }).map((s) => s.replace(/[\r\n]/g, "")),
          {
            maxLength: 8,
          },
        ),
        fc.constantFrom("\n", "\r\n", "\r"),
        fc.array(fc.nat(), { maxLength: 10 }),
        (lines, ending, rawCuts) => {
          const text = lines.map((line) => line + ending).join("");
          const bytes = encode(text);
          const cuts = rawCuts.map((cut) => (bytes.length === 0 ? 0 : cut % bytes.length));
          expect(decodeInPieces(bytes, cuts)).toEqual(lines);
        },
      ),
    );
  });

  it("refuses a line longer than its cap instead of buffering it", () => {
    const decoder = new LineDecoder({ maxLineChars: 1000 });
    expect(decoder.push(encode(`${"a".repeat(600)}\n`))).toHaveLength(1);
    decoder.push(encode("b".repeat(600)));
    expect(() => decoder.push(encode("b".repeat(600)))).toThrow(
      expect.objectContaining({ code: "provider-stream", message: expect.stringMatching(/1000/) }),
    );
  });

  it("refuses a long line that arrives whole in one chunk", () => {
    const decoder = new LineDecoder({ maxLineChars: 1000 });
    expect(() => decoder.push(encode(`${"d".repeat(1001)}\nok\n`))).toThrow(/longer than 1000/);
  });

  it("caps a line at 8 MiB by default", () => {
    const decoder = new LineDecoder();
    expect(() => decoder.push(encode("c".repeat(9 * 1024 * 1024)))).toThrow(/longer than/);
  });
});
