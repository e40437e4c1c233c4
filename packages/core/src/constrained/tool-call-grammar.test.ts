import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseReply } from "../protocol/parse-reply.js";
import { defineTool } from "../tools/define-tool.js";
import { doneTool } from "../tools/done-tool.js";
import { jsonStyle, preamble, validCall } from "./__fixtures__/call-arbitraries.js";
import { isFiniteLanguage, parseGbnf, unproductiveRules } from "./__fixtures__/gbnf-matcher.js";
import { DEFAULT_SHAPES, KITCHEN_SINK } from "./__fixtures__/tool-shapes.js";
import { DEFAULT_MAX_LONG_STRING_CHARS, DEFAULT_MAX_STRING_CHARS } from "./json-schema-to-gbnf.js";
import { longStringCapFor, planToolCallConstraint } from "./plan-tool-call-constraint.js";
import { buildToolCallGrammar, withDoneTool } from "./tool-call-grammar.js";

const tools = [...DEFAULT_SHAPES, doneTool];
const toolNames = tools.map((t) => t.name);
const grammar = parseGbnf(buildToolCallGrammar(DEFAULT_SHAPES));
const wrap = (json: string, before = "", nl = "\n") => `${before}<tool>${nl}${json}${nl}</tool>`;
const call = (name: string, args: unknown) => wrap(JSON.stringify({ name, args }));

describe("buildToolCallGrammar", () => {
  it("accepts every valid call to the default tools, and each one parses and validates", () => {
    fc.assert(
      fc.property(
        validCall,
        jsonStyle,
        preamble(),
        fc.constantFrom("\n", ""),
        (value, style, before, nl) => {
          const reply = wrap(style(value), before, nl);
          expect(grammar.matches(reply), reply).toBe(true);
          const parsed = parseReply(reply, { toolNames, finishReason: "stop" });
          expect(parsed).toEqual({ kind: "call", call: value });
          const tool = tools.find((t) => t.name === value.name);
          expect(tool?.inputSchema.safeParse(value.args).success).toBe(true);
        },
      ),
      { numRuns: 250 },
    );
  });

  it("accepts a reply cut by the </tool> stop sequence only as a prefix, never as a whole", () => {
    const reply = call("read_file", { path: "a.py" });
    expect(grammar.matches(reply)).toBe(true);
    expect(grammar.matches(reply.slice(0, -"</tool>".length))).toBe(false);
  });

  it.each([
    ["an unknown tool", call("delete_everything", { path: "a" })],
    ["a missing required argument", call("read_file", { start_line: 2 })],
    ["a wrong argument type", call("read_file", { path: 7 })],
    ["an integer below its minimum", call("read_file", { path: "a", start_line: 0 })],
    ["a fraction for an integer", call("read_file", { path: "a", start_line: 1.5 })],
    ["an unknown argument", call("read_file", { path: "a", mode: "fast" })],
    ["arguments out of declared order", call("read_file", { end_line: 3, path: "a" })],
    ["an empty done summary", call("done", { summary: "" })],
    ["args that are not an object", call("done", "finished")],
    ["a missing args key", wrap('{"name": "done"}')],
    ["name after args", wrap('{"args": {"summary": "x"}, "name": "done"}')],
    ["a trailing comma", wrap('{"name": "done", "args": {"summary": "x",}}')],
    ["single quotes", wrap("{'name': 'done', 'args': {'summary': 'x'}}")],
    ["a Python literal", wrap('{"name": "search", "args": {"pattern": "x", "fixed": True}}')],
    ["a raw newline in a string", wrap('{"name": "done", "args": {"summary": "a\nb"}}')],
    ["an unclosed string", wrap('{"name": "done", "args": {"summary": "x}}')],
    ["a literal </tool> inside a string", call("write_file", { path: "a", content: "</tool>" })],
    ["two calls", call("done", { summary: "a" }) + call("done", { summary: "b" })],
    ["text after the call", `${call("done", { summary: "a" })} and more`],
    ["a missing close tag", `<tool>\n{"name": "done", "args": {"summary": "a"}}\n`],
    ["a < in the preamble", wrap('{"name": "done", "args": {"summary": "a"}}', "a <b> c ")],
    [
      "a preamble that is too long",
      wrap('{"name": "done", "args": {"summary": "a"}}', "x".repeat(201)),
    ],
    ["the <tool_call> alias", '<tool_call>{"name": "done", "args": {"summary": "a"}}</tool_call>'],
    [
      "a code fence inside the tags",
      wrap('```json\n{"name": "done", "args": {"summary": "a"}}\n```'),
    ],
    ["a bare JSON object", '{"name": "done", "args": {"summary": "a"}}'],
    ["prose only", "I think the task is complete."],
    ["nothing", ""],
  ])("rejects %s", (_label, reply) => {
    expect(grammar.matches(reply)).toBe(false);
  });

  it("always offers done, so a constrained model can always finish", () => {
    const only = parseGbnf(buildToolCallGrammar([]));
    expect(only.matches(call("done", { summary: "nothing to do" }))).toBe(true);
    expect(only.matches(call("read_file", { path: "a" }))).toBe(false);
    expect(withDoneTool(tools)).toBe(tools);
    expect(withDoneTool(DEFAULT_SHAPES).map((t) => t.name)).toContain("done");
  });

  it("leaves no rule the model could enter and never leave", () => {
    for (const set of [DEFAULT_SHAPES, [...DEFAULT_SHAPES, KITCHEN_SINK], []]) {
      expect(unproductiveRules(parseGbnf(buildToolCallGrammar(set)))).toEqual([]);
    }
  });

  it("bounds every string by default: short for a path or pattern, long for file content", () => {
    // A model whose sampling goes astray inside a string must still reach the quote.
    expect(isFiniteLanguage(grammar)).toBe(true);
    const path = (n: number) => call("read_file", { path: "p".repeat(n) });
    expect(grammar.matches(path(DEFAULT_MAX_STRING_CHARS))).toBe(true);
    expect(grammar.matches(path(DEFAULT_MAX_STRING_CHARS + 1))).toBe(false);
    const pattern = call("search", { pattern: "x".repeat(DEFAULT_MAX_STRING_CHARS + 1) });
    expect(grammar.matches(pattern)).toBe(false);
    const write = (n: number) => call("write_file", { path: "a", content: "x".repeat(n) });
    expect(grammar.matches(write(DEFAULT_MAX_STRING_CHARS * 4))).toBe(true);
    expect(grammar.matches(write(DEFAULT_MAX_LONG_STRING_CHARS))).toBe(true);
    expect(grammar.matches(write(DEFAULT_MAX_LONG_STRING_CHARS + 1))).toBe(false);
    // done stays reachable.
    expect(grammar.matches(call("done", { summary: "fixed" }))).toBe(true);
  });

  it("caps long strings to the output budget the plan is given", () => {
    const cap = longStringCapFor(1024);
    expect(cap).toBe(768);
    const plan = planToolCallConstraint({
      tools: DEFAULT_SHAPES,
      capabilities: { grammar: true },
      mode: "grammar",
      maxOutputTokens: 1024,
    });
    const text = plan.constraint?.type === "grammar" ? plan.constraint.grammar : "";
    const planned = parseGbnf(text);
    const write = (n: number) => call("write_file", { path: "a", content: "x".repeat(n) });
    expect(planned.matches(write(cap))).toBe(true);
    expect(planned.matches(write(cap + 1))).toBe(false);
  });

  it("leaves strings unbounded only when asked to", () => {
    const open = parseGbnf(
      buildToolCallGrammar(DEFAULT_SHAPES, {
        maxStringChars: Number.POSITIVE_INFINITY,
        maxLongStringChars: Number.POSITIVE_INFINITY,
        maxArrayItems: Number.POSITIVE_INFINITY,
      }),
    );
    expect(isFiniteLanguage(open)).toBe(false);
  });

  it("bounds the whole reply when strings and arrays are capped", () => {
    const capped = parseGbnf(
      buildToolCallGrammar(DEFAULT_SHAPES, {
        maxStringChars: 16,
        maxLongStringChars: 16,
        maxArrayItems: 2,
      }),
    );
    expect(isFiniteLanguage(capped)).toBe(true);
    expect(capped.matches(call("write_file", { path: "a", content: "x".repeat(16) }))).toBe(true);
    expect(capped.matches(call("write_file", { path: "a", content: "x".repeat(17) }))).toBe(false);
  });

  it("honours maxPreambleChars, 0 included", () => {
    const done = '{"name": "done", "args": {"summary": "a"}}';
    const none = parseGbnf(buildToolCallGrammar([], { maxPreambleChars: 0 }));
    expect(none.matches(wrap(done))).toBe(true);
    expect(none.matches(wrap(done, "Done. "))).toBe(false);
    const short = parseGbnf(buildToolCallGrammar([], { maxPreambleChars: 6 }));
    expect(short.matches(wrap(done, "Done. "))).toBe(true);
    expect(short.matches(wrap(done, "Done!! "))).toBe(false);
  });

  it("follows every construct of a rich schema", () => {
    const rich = parseGbnf(buildToolCallGrammar([KITCHEN_SINK]));
    const base = {
      mode: "fast",
      kind: "x",
      code: "ab",
      level: -3,
      flag: true,
      maybe: null,
      either: "s",
      tags: ["a"],
      pair: ["a", 1.5],
    };
    // Keys in declared order, optional ones included.
    const full = {
      mode: "slow",
      kind: "x",
      code: "abcdef",
      level: 12,
      ratio: 0.5,
      delta: -2,
      flag: false,
      maybe: "m",
      either: 7,
      tags: ["a", "b", "c"],
      pair: ["a", 1],
      meta: { a: 1 },
      nested: { b: 2 },
      anything: [1, { x: null }],
      tree: { label: "r", children: [{ label: "c", children: [] }] },
    };
    for (const args of [base, full]) {
      expect(rich.matches(call("kitchen_sink", args))).toBe(true);
      expect(KITCHEN_SINK.inputSchema.safeParse(args).success).toBe(true);
    }
    for (const bad of [
      { ...base, mode: "medium" },
      { ...base, kind: "y" },
      { ...base, code: "a" },
      { ...base, code: "abcdefg" },
      { ...base, level: 13 },
      { ...base, level: -4 },
      { ...base, tags: [] },
      { ...base, tags: ["a", "b", "c", "d"] },
      { ...base, pair: [1.5, "a"] },
      { ...full, ratio: -1 },
      { ...full, nested: { c: 1 } },
    ]) {
      expect(rich.matches(call("kitchen_sink", bad)), JSON.stringify(bad)).toBe(false);
    }
  });

  it("gives each tool its own $defs namespace", () => {
    const a = defineTool({
      name: "a",
      description: "A.",
      inputSchema: z.object({ x: z.string().meta({ id: "item" }) }),
      execute: () => "",
    });
    const b = defineTool({
      name: "b",
      description: "B.",
      inputSchema: z.object({ x: z.number().int().meta({ id: "item" }) }),
      execute: () => "",
    });
    const g = parseGbnf(buildToolCallGrammar([a, b]));
    expect(g.matches(call("a", { x: "s" }))).toBe(true);
    expect(g.matches(call("b", { x: 1 }))).toBe(true);
    expect(g.matches(call("a", { x: 1 }))).toBe(false);
    expect(g.matches(call("b", { x: "s" }))).toBe(false);
  });
});
