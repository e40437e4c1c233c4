// Spiral cut: how much a recorded degenerate reply costs before the detector stops it, and
// what the detector costs per character on a long legitimate reply.
import { readFileSync } from "node:fs";
import { createSpiralDetector } from "@gemma-coder/core";
import { fmt, machine, medianMs, table } from "./lib.mjs";

const spirals = JSON.parse(
  readFileSync(
    new URL("../packages/core/src/protocol/__fixtures__/spirals.json", import.meta.url),
    "utf8",
  ),
).cases;

// Word-sized pieces stand in for tokens: a backend streams one token per delta.
const pieces = (text) => text.match(/ ?[A-Za-z]+| ?\d{1,3}| ?[^\sA-Za-z\d]{1,2}|\s{1,4}/g) ?? [];

const rows = [];
for (const spiral of spirals) {
  const parts = pieces(spiral.text);
  const detector = createSpiralDetector();
  let consumed = parts.length;
  for (let i = 0; i < parts.length; i++) {
    if (detector.push(parts[i])) {
      consumed = i + 1;
      break;
    }
  }
  const found = detector.spiral;
  const before = found ? pieces(spiral.text.slice(0, found.start)).length : 0;
  rows.push([
    spiral.id,
    parts.length,
    found ? found.kind : "not cut",
    consumed,
    found ? consumed - before : "-",
  ]);
}
console.log(`machine: ${machine()}`);
table(
  "Recorded spirals, streamed one word-sized piece (about a token) at a time",
  ["spiral", "pieces in the recording", "cut as", "pieces read in all", "pieces of spiral paid"],
  rows,
);

const content = Array.from(
  { length: 8000 },
  (_, i) => `def handle_${i}(event):\n    return {"status": ${200 + (i % 5)}, "id": ${i}}\n`,
).join("");
const reply = `<tool>\n${JSON.stringify({ name: "write_file", args: { path: "big.py", content } })}\n</tool>`;
const legitParts = pieces(reply);
const ms = await medianMs(() => {
  const detector = createSpiralDetector();
  for (const part of legitParts) detector.push(part);
  if (detector.spiral) throw new Error("false cut on the legitimate reply");
});
table(
  "Detector cost on a long legitimate reply (no cut)",
  ["reply", "chars", "ms", "ns per char"],
  [
    [
      "write_file of 8,000 similar functions",
      reply.length,
      fmt(ms, 1),
      fmt((ms * 1e6) / reply.length, 0),
    ],
  ],
);
