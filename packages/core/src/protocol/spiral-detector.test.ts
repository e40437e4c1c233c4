import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSpiralDetector, type Spiral } from "./spiral-detector.js";

const spirals = JSON.parse(
  readFileSync(new URL("./__fixtures__/spirals.json", import.meta.url), "utf8"),
) as { cases: Array<{ id: string; source: string; text: string }> };

/** Word-sized pieces, about one token each: how a backend streams a reply. */
function pieces(text: string): string[] {
  return text.match(/ ?[A-Za-z]+| ?\d{1,3}| ?[^\sA-Za-z\d]{1,2}|\s{1,4}/g) ?? [];
}

function feed(parts: readonly string[]): { spiral: Spiral | undefined; consumed: number } {
  const detector = createSpiralDetector();
  for (let i = 0; i < parts.length; i++) {
    if (detector.push(parts[i] as string)) return { spiral: detector.spiral, consumed: i + 1 };
  }
  return { spiral: undefined, consumed: parts.length };
}

function writeCall(path: string, content: string): string {
  return `<tool>\n${JSON.stringify({ name: "write_file", args: { path, content } })}\n</tool>`;
}

const pythonModule = Array.from(
  { length: 300 },
  (_, i) =>
    `def handle_${i}(event, context):\n    """Handle event type ${i}."""\n    if event.get("kind") != "k${i}":\n        return None\n    return {"status": ${200 + (i % 5)}, "body": event["payload"][${i % 7}]}\n\n`,
).join("");
const crcTable = (() => {
  const rows: string[] = [];
  for (let n = 0; n < 256; n += 8) {
    const row: string[] = [];
    for (let k = n; k < n + 8; k++) {
      let c = k;
      for (let j = 0; j < 8; j++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      row.push(`0x${(c >>> 0).toString(16).padStart(8, "0")}`);
    }
    rows.push(`    ${row.join(", ")},`);
  }
  return `static const uint32_t crc_table[256] = {\n${rows.join("\n")}\n};\n`;
})();
const markdownTable = `| # | name | status | notes |\n|---|---|---|---|\n${Array.from(
  { length: 200 },
  (_, i) => `| ${i} | item-${i} | ${i % 3 === 0 ? "ok" : "pending"} | checked on run ${i * 7} |`,
).join("\n")}\n`;
const similarLines = Array.from(
  { length: 400 },
  (_, i) => `    case ${i}: return "code-${i.toString(36)}";`,
).join("\n");
const zeroRows = `int grid[12][8] = {\n${"    {0, 0, 0, 0, 0, 0, 0, 0},\n".repeat(12)}};\n`;

const legitimate: Array<[string, string]> = [
  ["a 30 kB Python module written in one call", writeCall("handlers.py", pythonModule)],
  ["a CRC lookup table", writeCall("crc.c", crcTable)],
  ["a 200-row markdown table", markdownTable],
  ["400 similar lines of a switch", writeCall("codes.c", similarLines)],
  ["twelve identical zero rows", writeCall("grid.c", zeroRows)],
  [
    "long thinking that revisits the same question with new facts",
    `<think>\n${Array.from({ length: 120 }, (_, i) => `Wait, is line ${i + 1} the bug? It reads x${i} = y${i} + ${i}.`).join("\n")}\n</think>\n<tool>{"name": "done", "args": {"summary": "ok"}}</tool>`,
  ],
  [
    "indented code with blank lines",
    writeCall("a.py", `class A:\n${"\n\n        pass\n".repeat(3)}`),
  ],
];

describe("createSpiralDetector", () => {
  it.each(spirals.cases)("cuts the recorded spiral $id within 200 tokens", (spiral) => {
    const parts = pieces(spiral.text);
    const { spiral: found, consumed } = feed(parts);
    expect(found).toBeDefined();
    const beforeSpiral = pieces(spiral.text.slice(0, found?.start ?? 0)).length;
    expect(consumed - beforeSpiral).toBeLessThanOrEqual(200);
  });

  it.each(legitimate)("never cuts %s", (_label, text) => {
    expect(feed(pieces(text)).spiral).toBeUndefined();
    expect(createSpiralDetector().push(text)).toBeUndefined();
  });

  it("names what repeated and where it began", () => {
    const detector = createSpiralDetector();
    const found = detector.push(`Intro.\n${"Checking the config again now.\n".repeat(40)}`);
    expect(found?.kind).toBe("repetition");
    // The repeated part starts where the first copy does (".\n" already repeats at 5).
    expect(found?.start).toBeGreaterThanOrEqual(5);
    expect(found?.start).toBeLessThanOrEqual(7);
    expect(found?.sample).toContain("Checking the config again now");
  });

  it("sees whitespace runs and thinking loops", () => {
    expect(createSpiralDetector().push(`ok${" ".repeat(300)}`)?.kind).toBe("whitespace");
    const loop = Array.from(
      { length: 6 },
      (_, i) => `Hmm, maybe the bug is elsewhere.\nTry idea ${i}.`,
    );
    expect(createSpiralDetector().push(`<think>\n${loop.join("\n")}\n`)?.kind).toBe(
      "thinking-loop",
    );
  });

  it("does not count repeated lines outside thinking as a thinking loop", () => {
    const text = Array.from(
      { length: 8 },
      (_, i) => `Hmm, maybe the bug is elsewhere.\nTry idea ${i}.`,
    );
    expect(createSpiralDetector().push(`${text.join("\n")}\n`)).toBeUndefined();
  });

  it("finds the same spiral at the same offset however the text is chunked", () => {
    const texts = [...spirals.cases.map((c) => c.text.slice(0, 4000)), markdownTable];
    fc.assert(
      fc.property(
        fc.constantFrom(...texts),
        fc.array(fc.nat({ max: 4000 }), { maxLength: 30 }),
        (text, cuts) => {
          const whole = createSpiralDetector().push(text);
          const chunked = createSpiralDetector();
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          let last = 0;
          for (const point of [...points, text.length]) {
            chunked.push(text.slice(last, point));
            last = point;
          }
          expect(chunked.spiral).toEqual(whole);
        },
      ),
      { numRuns: 100 },
    );
  });
});
