import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseReply } from "./parse-reply.js";
import { createReplyStream } from "./reply-stream.js";

const toolNames = ["read_file", "write_file", "done"];

function feed(text: string, cuts: number[]) {
  const stream = createReplyStream({ toolNames });
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  let last = 0;
  for (const point of [...points, text.length]) {
    stream.push(text.slice(last, point));
    last = point;
  }
  return stream;
}

const samples = [
  'Reading.\n<tool>\n{"name": "read_file", "args": {"path": "a.py"}}\n</tool>\ntrailing',
  '<think>x <tool>{"name": "write_file"}</tool></think><tool>{"name": "done", "args": {"summary": "ok"}}',
  '<|tool_call>call:read_file{path:<|"|>a}"b<|"|>}<tool_call|>',
  "just prose with a > sign and <b>html</b>",
  '<tool>```json\n{"name": "read_file", "args": {"path": "x"}}\n```</tool>',
  '<tool>{"name": "write_file", "args": {"path": "a", "content": "cut',
  '<tool_call>{"name": "read_file", "arguments": {"path": "{"}}</tool_call>',
  '{"name": "write_file", "args": {"path": "a", "content": "<tool>{"x": 1}</tool>"}}',
  '  {"name": "done", "args": {"summary": "<think>ok</think>"}} trailing',
  '<tool>{"name": "write_file", "args": {"path": "p", "content": "a </tool> b"}}</tool>',
  '<|channel>thought\nok<channel|>call:read_file{path:<|"|>a<|"|>}',
  '<|channel>thought\nLet me.<|tool_call>call:read_file{path:<|"|>a<|"|>}<tool_call|>',
  "```tool_code\nprint(read_file(path='a.py'))\n```",
  "[read_file(path='a.py')]",
  '<TOOL>{"name": "done", "args": {"summary": "<TOOL> stays"}}</TOOL>',
  "I will loop. I will loop. I will loop. I will loop. I will loop. I will loop.",
];

describe("createReplyStream", () => {
  it("reports completion as soon as the JSON value closes, before the close tag", () => {
    const stream = createReplyStream({ toolNames });
    expect(stream.push('<tool>\n{"name": "read_file", ')).toBe(false);
    expect(stream.push('"args": {"path": "a"}')).toBe(false);
    expect(stream.push("}")).toBe(true);
    expect(stream.completeAt).toBe(stream.text.length);
    expect(stream.finish("stop-sequence")).toMatchObject({
      kind: "call",
      call: { name: "read_file" },
    });
  });

  it("reports completion at the close tag when the body is not JSON", () => {
    const stream = createReplyStream({ toolNames });
    stream.push('<|tool_call>call:done{summary:<|"|>ok');
    expect(stream.complete).toBe(false);
    stream.push('<|"|>}');
    expect(stream.complete).toBe(false);
    stream.push("<tool_call|>");
    expect(stream.complete).toBe(true);
  });

  it("does not cut a Gemma call at a brace that only looks outside a string", () => {
    // The native string holds a lone `"` then `}`: a JSON scanner would see the call close there.
    const stream = createReplyStream({ toolNames });
    stream.push('<|tool_call>call:write_file{path:<|"|>a.py<|"|>,content:<|"|>print(")}")');
    expect(stream.complete).toBe(false);
    stream.push('<|"|>}<tool_call|>');
    expect(stream.complete).toBe(true);
    expect(stream.finish("stop-sequence")).toMatchObject({
      kind: "call",
      call: { name: "write_file", args: { path: "a.py", content: 'print(")}")' } },
    });
  });

  it("reads a close tag inside a JSON string as data", () => {
    const stream = createReplyStream({ toolNames });
    stream.push(
      '<tool>{"name": "write_file", "args": {"path": "p.md", "content": "end with </tool>',
    );
    expect(stream.complete).toBe(false);
    stream.push(' then stop"}}');
    expect(stream.complete).toBe(true);
    expect(stream.finish("stop-sequence")).toMatchObject({
      kind: "call",
      call: { args: { content: "end with </tool> then stop" } },
    });
  });

  it("sees a tag split across chunks", () => {
    const stream = createReplyStream({ toolNames });
    for (const ch of "<to" + 'ol>{"name":"done","args":{}}') stream.push(ch);
    expect(stream.complete).toBe(true);
  });

  it("never completes on a call inside a thinking block", () => {
    const stream = createReplyStream({ toolNames });
    stream.push('<think><tool>{"name": "read_file", "args": {"path": "a"}}</tool>');
    expect(stream.complete).toBe(false);
    stream.push("</think>ok <tool>");
    expect(stream.complete).toBe(false);
    stream.push('{"name": "done", "args": {"summary": "s"}}');
    expect(stream.complete).toBe(true);
  });

  it("follows a bare JSON call, treating tags in its strings as data", () => {
    const stream = createReplyStream({ toolNames });
    stream.push('{"name": "write_file", "args": {"path": "a", "content": "<tool>{}</tool>');
    expect(stream.complete).toBe(false);
    stream.push('"}}');
    expect(stream.complete).toBe(true);
    expect(stream.finish("stop-sequence")).toMatchObject({
      kind: "call",
      call: { args: { content: "<tool>{}</tool>" } },
    });
  });

  it("does not complete on braces inside strings", () => {
    const stream = createReplyStream({ toolNames });
    stream.push('<tool>{"name": "write_file", "args": {"content": "}}}\\"}}"');
    expect(stream.complete).toBe(false);
  });

  it("gives the same result and completion point however the reply is chunked", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.nat({ max: 400 }), { maxLength: 40 }),
        fc.constantFrom("stop", "stop-sequence", "length"),
        (text, cuts, finish) => {
          const whole = feed(text, []);
          const chunked = feed(text, cuts);
          expect(chunked.completeAt).toBe(whole.completeAt);
          expect(chunked.text).toBe(text);
          expect(chunked.finish(finish as "stop")).toEqual(
            parseReply(text, { toolNames, finishReason: finish as "stop" }),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("gives the same completion point for random text chunked byte by byte", () => {
    const alphabet = fc.constantFrom(
      "<",
      ">",
      "{",
      "}",
      '"',
      "\\",
      "t",
      "o",
      "l",
      "/",
      "<tool>",
      "</tool>",
      "<think>",
      "</think>",
      "a",
      " ",
    );
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 60 }),
        fc.array(fc.nat({ max: 200 }), { maxLength: 30 }),
        (parts, cuts) => {
          const text = parts.join("");
          expect(feed(text, cuts).completeAt).toBe(feed(text, []).completeAt);
          const bytewise = createReplyStream({ toolNames });
          for (const ch of text) bytewise.push(ch);
          expect(bytewise.completeAt).toBe(feed(text, []).completeAt);
        },
      ),
      { numRuns: 500 },
    );
  });
});
