// Protocol parser throughput and the cost of streaming in 1-byte chunks.
import { createReplyStream, parseReply } from "@gemma-coder/core";
import { fmt, machine, medianMs, table } from "./lib.mjs";

const toolNames = ["read_file", "write_file", "edit_file", "search", "done"];
const small = `I'll read it.\n<tool>\n${JSON.stringify({ name: "read_file", args: { path: "src/app.py" } })}\n</tool>`;
const content = "def handler(event):\n    return {'status': 200, 'body': event}\n"
  .repeat(16_000)
  .slice(0, 1_000_000);
const large = `<tool>\n${JSON.stringify({ name: "write_file", args: { path: "big.py", content } })}\n</tool>`;

function streamIn(text, size) {
  const stream = createReplyStream({ toolNames });
  for (let i = 0; i < text.length; i += size) stream.push(text.slice(i, i + size));
  return stream.finish("stop");
}

const medium = large.slice(0, 10_000);
// Drifted shapes: Gemma's native call and a Python tool_code call carrying the same file,
// and hostile replies full of delimiters and tag variants that never form a call.
const quote = '<|"|>';
const gemma = `<|tool_call>call:write_file{path:${quote}big.py${quote},content:${quote}${content}${quote}}<tool_call|>`;
const python = `\`\`\`tool_code\nwrite_file(path='big.py', content=${JSON.stringify(content)})\n\`\`\``;
const delimiters = `<|tool_call>call:bash{command:${`${quote}x `.repeat(150_000)}}<tool_call|>`;
const variants = "< TOOL >x".repeat(110_000);
const rows = [];
for (const [label, text, reps] of [
  ["small reply", small, 20_000],
  ["10 kB reply (cut)", medium, 200],
  ["1 MB reply", large, 5],
  ["1 MB Gemma native call", gemma, 5],
  ["1 MB tool_code call", python, 5],
  ['1 MB of stray <|"|> delimiters', delimiters, 5],
  ["1 MB of '< TOOL >' variants", variants, 5],
]) {
  const once = await medianMs(() => {
    for (let i = 0; i < reps; i++) parseReply(text, { toolNames });
  });
  const whole = await medianMs(() => {
    for (let i = 0; i < reps; i++) streamIn(text, text.length);
  });
  const bytewise = await medianMs(() => {
    for (let i = 0; i < reps; i++) streamIn(text, 1);
  });
  const mb = (text.length * reps) / 1e6;
  rows.push([
    label,
    text.length,
    fmt(mb / (once / 1000), 1),
    fmt(mb / (whole / 1000), 1),
    fmt(mb / (bytewise / 1000), 1),
    fmt(bytewise / whole, 2),
    fmt((bytewise * 1e6) / (text.length * reps), 0),
  ]);
}
console.log(`machine: ${machine()}`);
table(
  "Protocol parser",
  [
    "reply",
    "chars",
    "parseReply MB/s",
    "stream 1 chunk MB/s",
    "stream 1-byte chunks MB/s",
    "1-byte / 1-chunk time",
    "ns per char, 1-byte chunks",
  ],
  rows,
);
console.log(
  "\nLinear time shows as a flat 'ns per char' from 10 kB to 1 MB. The 1-byte/1-chunk ratio is the fixed cost of a push call per delta (real deltas are tokens of ~4 characters).",
);
