import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type AnyTool,
  buildToolCallGrammar,
  buildToolCallJsonSchema,
  type ChatMessage,
  doneTool,
  jsonSchemaToGbnf,
  parseReply,
  toolInputJsonSchema,
} from "@gemma-coder/core";
import { createTools } from "@gemma-coder/tools";
import fc from "fast-check";
import { getLlama, type Llama, type LlamaGrammar } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arbitraryFor } from "./__fixtures__/schema-arbitrary.js";
import { tinyModel } from "./__fixtures__/tiny-model.js";
import { createEmbedded, type EmbeddedProvider } from "./create-embedded.js";

/**
 * The grammars checked by llama.cpp itself: its parser compiles them, its matcher
 * (node-llama-cpp's internal `_testText`, the same code that masks tokens) accepts
 * every valid call and refuses malformed ones, and the tiny random model, sampling
 * under them, writes nothing but valid calls.
 */

let workspace: string;
let tools: AnyTool[];
let toolNames: string[];
let llama: Llama;
let model: Awaited<ReturnType<typeof tinyModel>>;
let provider: EmbeddedProvider;

beforeAll(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), "gemma-coder-grammar-"));
  tools = [...createTools({ root: workspace }), doneTool];
  toolNames = tools.map((t) => t.name);
  llama = await getLlama({
    gpu: false,
    build: "never",
    logLevel: "error" as never,
    logger: () => {},
  });
  model = await tinyModel(11);
  provider = createEmbedded({
    model: model.file,
    contextSize: 4096,
    gpu: false,
    threads: 1,
    // Hot sampling spreads the random model's calls over more tools.
    temperature: 2,
    seed: 42,
  });
  await provider.load();
});

afterAll(async () => {
  await provider?.dispose();
  await llama?.dispose();
  await model?.cleanup();
  await rm(workspace, { recursive: true, force: true });
});

function engineMatches(grammar: LlamaGrammar, text: string): boolean {
  const test = (grammar as unknown as { _testText?: (text: string) => boolean })._testText;
  if (typeof test !== "function") throw new Error("node-llama-cpp no longer exposes _testText");
  return test.call(grammar, text);
}

/** Checks one reply the way the agent would: it parses to a call whose arguments validate. */
function expectValidCall(reply: string): void {
  const parsed = parseReply(reply, { toolNames, finishReason: "stop-sequence" });
  expect(parsed.kind, reply).toBe("call");
  if (parsed.kind !== "call") return;
  expectValidArgs(parsed.call.name, parsed.call.args, reply);
}

function expectValidArgs(name: string, args: unknown, reply: string): void {
  const tool = tools.find((t) => t.name === name);
  expect(tool, reply).toBeDefined();
  expect(tool?.inputSchema.safeParse(args).success, reply).toBe(true);
}

/**
 * Grammars constrain bytes. The random model can pick byte tokens that form invalid
 * UTF-8 (a lone continuation byte, an overlong form), which the engine's lenient
 * decoder lets through and the text decoder turns into U+FFFD, so such a reply no
 * longer re-matches character for character. Real models, trained on valid UTF-8, do
 * not write those; the call is still checked by parsing and validation.
 */
const hasInvalidUtf8 = (text: string) => text.includes("\uFFFD");

const styles = [
  (v: unknown) => JSON.stringify(v),
  (v: unknown) => JSON.stringify(v, null, 2),
  (v: unknown) => JSON.stringify(v).replace(/":/g, '": ').replace(/,"/g, ', "'),
];

const validCall = () =>
  fc.oneof(
    ...tools.map((tool) =>
      arbitraryFor(toolInputJsonSchema(tool)).map((args) => ({ name: tool.name, args })),
    ),
  );

describe("the tool-call grammar in llama.cpp", () => {
  // Broken GBNF is refused: broken-grammar.test.ts (in a child process, see there).
  it("compiles every grammar variant", async () => {
    const variants = [
      buildToolCallGrammar(tools),
      buildToolCallGrammar(createTools({ root: workspace, readOnly: true })),
      buildToolCallGrammar(tools, { maxPreambleChars: 0 }),
      buildToolCallGrammar(tools, { maxStringChars: 12, maxArrayItems: 2 }),
      jsonSchemaToGbnf(buildToolCallJsonSchema(tools)),
    ];
    for (const grammar of variants)
      await expect(llama.createGrammar({ grammar })).resolves.toBeDefined();
  });

  it("accepts every valid call to the default tools, each of which parses and validates", async () => {
    const grammar = await llama.createGrammar({ grammar: buildToolCallGrammar(tools) });
    fc.assert(
      fc.property(
        validCall(),
        fc.constantFrom(...styles),
        fc.string({ maxLength: 60 }).filter((s) => !s.includes("<")),
        (call, style, preamble) => {
          const reply = `${preamble}<tool>\n${style(call)}\n</tool>`;
          expect(engineMatches(grammar, reply), reply).toBe(true);
          expectValidCall(reply);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("refuses malformed calls", async () => {
    const grammar = await llama.createGrammar({ grammar: buildToolCallGrammar(tools) });
    const wrap = (json: string) => `<tool>\n${json}\n</tool>`;
    for (const reply of [
      wrap('{"name": "delete_all", "args": {}}'),
      wrap('{"name": "read_file", "args": {}}'),
      wrap('{"name": "read_file", "args": {"path": 3}}'),
      wrap('{"name": "read_file", "args": {"path": "a", "start_line": 0}}'),
      wrap('{"name": "read_file", "args": {"path": "a", "colour": "red"}}'),
      wrap('{"name": "done", "args": {"summary": ""}}'),
      wrap('{"name": "done", "args": {"summary": "x",}}'),
      wrap("{'name': 'done', 'args': {'summary': 'x'}}"),
      wrap('{"name": "done", "args": {"summary": "a\nb"}}'),
      wrap('{"name": "write_file", "args": {"path": "a", "content": "</tool>"}}'),
      '<tool>{"name": "done", "args": {"summary": "x"}}',
      '{"name": "done", "args": {"summary": "x"}}',
      'a <b> <tool>{"name": "done", "args": {"summary": "x"}}</tool>',
      "just prose",
    ]) {
      expect(engineMatches(grammar, reply), reply).toBe(false);
    }
  });

  it("accepts the bare JSON calls of the JSON-only variant", async () => {
    const grammar = await llama.createGrammar({
      grammar: jsonSchemaToGbnf(buildToolCallJsonSchema(tools)),
    });
    fc.assert(
      fc.property(validCall(), fc.constantFrom(...styles), (call, style) => {
        const reply = style(call);
        expect(engineMatches(grammar, reply), reply).toBe(true);
        expectValidCall(reply);
      }),
      { numRuns: 60 },
    );
    expect(engineMatches(grammar, '<tool>{"name": "done", "args": {"summary": "x"}}</tool>')).toBe(
      false,
    );
  });
});

describe("generation under the grammar with the real engine", () => {
  const ask = (task: string): ChatMessage[] => [
    { role: "system", content: "You are a coding agent. Reply with exactly one tool call." },
    { role: "user", content: task },
  ];

  async function generate(messages: ChatMessage[], grammar: string, maxTokens: number) {
    let text = "";
    let reason = "";
    for await (const part of provider.streamChat({
      messages,
      maxTokens,
      constraint: { type: "grammar", grammar },
    })) {
      if (part.type === "text-delta") text += part.text;
      if (part.type === "finish") reason = part.reason;
    }
    return { text, reason };
  }

  it("writes only valid calls with bounded strings", async () => {
    const text = buildToolCallGrammar(tools, {
      maxStringChars: 12,
      maxArrayItems: 2,
      maxPreambleChars: 24,
    });
    const grammar = await llama.createGrammar({ grammar: text });
    const seen = new Set<string>();
    let rechecked = 0;
    for (let i = 0; i < 40; i++) {
      const { text: reply, reason } = await generate(ask(`Task number ${i}: fix it.`), text, 600);
      expect(reason, reply).toBe("stop-sequence");
      const whole = `${reply}</tool>`;
      expectValidCall(whole);
      if (!hasInvalidUtf8(whole)) {
        expect(engineMatches(grammar, whole), whole).toBe(true);
        rechecked++;
      }
      const parsed = parseReply(whole, { toolNames });
      if (parsed.kind === "call") seen.add(parsed.call.name);
    }
    // The random model wanders across the tools, not just one.
    expect(seen.size).toBeGreaterThanOrEqual(3);
    expect(rechecked).toBeGreaterThanOrEqual(30);
  });

  it("writes only valid calls with the default, unbounded grammar", async () => {
    const text = buildToolCallGrammar(tools);
    for (let i = 0; i < 4; i++) {
      const { text: reply, reason } = await generate(ask(`Another task ${i}.`), text, 3000);
      expect(reason, reply.slice(0, 200)).toBe("stop-sequence");
      expectValidCall(`${reply}</tool>`);
    }
  });

  it("writes only valid bare JSON calls under the JSON schema", async () => {
    const schema = buildToolCallJsonSchema(tools);
    for (let i = 0; i < 3; i++) {
      let reply = "";
      let reason = "";
      for await (const part of provider.streamChat({
        messages: ask(`JSON task ${i}.`),
        maxTokens: 3000,
        stop: [],
        constraint: { type: "json-schema", schema },
      })) {
        if (part.type === "text-delta") reply += part.text;
        if (part.type === "finish") reason = part.reason;
      }
      expect(reason).toBe("stop");
      // Parsed as JSON directly: parseReply misreads a bare object whose strings hold a
      // tag such as <tool> (reported to core), and this model writes <tool> often.
      const call = JSON.parse(reply) as { name: string; args: unknown };
      expect(Object.keys(call)).toEqual(["name", "args"]);
      expectValidArgs(call.name, call.args, reply);
    }
  });
});
