import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  Agent,
  type AnyTool,
  type ChatMessage,
  type FinishPart,
  type ModelProvider,
  parseReply,
} from "@gemma-coder/core";
import { createTools } from "@gemma-coder/tools";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyModel } from "./__fixtures__/tiny-model.js";
import { createEmbedded, type EmbeddedProvider } from "./create-embedded.js";

/**
 * The in-process engine on a random model with a 32,000-token vocabulary, where text has
 * many spellings in tokens and sampling wanders: calls must still come out valid, each
 * prompt must start with the previous prompt and reply token for token, and the
 * evaluated count must be what the engine decoded.
 */

let model: Awaited<ReturnType<typeof tinyModel>>;
let provider: EmbeddedProvider;
/** Loading takes seconds on a busy machine; generation is fast. */
const SLOW = 180_000;

beforeAll(async () => {
  model = await tinyModel(5, { vocabularySize: 32_000 });
  workspace = await mkdtemp(path.join(tmpdir(), "gemma-coder-token-exact-"));
  tools = createTools({ root: workspace }).filter((tool) => TOOL_NAMES.includes(tool.name));
  provider = createEmbedded({
    model: model.file,
    contextSize: 8192,
    gpu: false,
    threads: 1,
    temperature: 1,
    seed: 3,
  });
  await provider.load();
}, SLOW);

afterAll(async () => {
  await provider?.dispose();
  await model?.cleanup();
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

/** Tools with a path, a pattern and file content; nothing that runs a program. */
const TOOL_NAMES = ["read_file", "search", "write_file"];
let workspace: string;
let tools: AnyTool[];

/** Records every finish part the provider sends. */
function recording(provider: ModelProvider, finishes: FinishPart[]): ModelProvider {
  return {
    id: provider.id,
    capabilities: provider.capabilities ?? {},
    streamChat: async function* (request) {
      for await (const part of provider.streamChat(request)) {
        if (part.type === "finish") finishes.push(part);
        yield part;
      }
    },
  };
}

/** Runs agent turns until `turns` replies were made; returns each run's finish parts. */
async function runTurns(
  provider: ModelProvider,
  turns: number,
  options: { maxOutputTokens: number; grammar?: Record<string, number> },
) {
  const runs: FinishPart[][] = [];
  const invalid: string[] = [];
  const texts: string[] = [];
  while (runs.flat().length < turns) {
    const finishes: FinishPart[] = [];
    const agent = new Agent({
      provider: recording(provider, finishes),
      tools,
      rules: false,
      constrainedDecoding: "grammar",
      ...(options.grammar ? { constrainedDecodingOptions: options.grammar } : {}),
      maxOutputTokens: options.maxOutputTokens,
      maxSteps: turns - runs.flat().length,
      maxInvalidReplies: 50,
      contextWindow: 8192,
    });
    agent.on("invalid-reply", (e) => invalid.push(e.feedback));
    agent.on("turn-end", (e) => texts.push(e.text));
    await agent.run("Fix the failing test in tests/test_api.py");
    runs.push(finishes);
  }
  return { runs, invalid, texts };
}

describe("token accounting and text of the in-process engine", () => {
  const messages: ChatMessage[] = [
    { role: "system", content: "You are a coding agent." },
    { role: "user", content: "Fix the bug." },
  ];
  const finish = async (grammar: string) => {
    let text = "";
    let last: FinishPart | undefined;
    for await (const part of provider.streamChat({
      messages,
      maxTokens: 40,
      constraint: { type: "grammar", grammar },
    })) {
      if (part.type === "text-delta") text += part.text;
      if (part.type === "finish") last = part;
    }
    if (!last) throw new Error("no finish part");
    return { text, finish: last };
  };

  // First in the file: the engine's sequence is still empty.
  it("counts every prompt token it decodes: all of a fresh prompt, one of a repeated one", async () => {
    const first = await finish('root ::= "<tool>" [a-z]{2,6} "</tool>"');
    const input = first.finish.usage?.inputTokens ?? 0;
    expect(input).toBeGreaterThan(10);
    expect(first.finish.usage?.evaluatedInputTokens).toBe(input);
    expect(first.finish.usage?.cachedInputTokens).toBe(0);
    // The same prompt again: the engine evaluates its last token again to sample from it.
    const again = await finish('root ::= "<tool>" [a-z]{2,6} "</tool>"');
    expect(again.finish.usage?.evaluatedInputTokens).toBe(1);
    expect(again.finish.usage?.cachedInputTokens).toBe(input - 1);
  });

  it("keeps the leading space of the first generated token, and reports the reply's tokens", async () => {
    const { text, finish: last } = await finish('root ::= " x" [a-z]{1,4} "</tool>"');
    expect(text).toMatch(/^ x[a-z]{1,4}$/);
    expect(last.tokens?.text).toBe(`${text}</tool>`);
    expect(last.tokens?.provider).toBe("embedded");
    expect(last.tokens?.ids.length).toBeGreaterThan(0);
  });
});

describe("the in-process engine on a 32k-vocabulary random model", () => {
  it(
    "writes only valid calls under the default grammar, where unbounded strings run on",
    async () => {
      {
        const open = await runTurns(provider, 4, {
          maxOutputTokens: 200,
          grammar: {
            maxStringChars: Number.POSITIVE_INFINITY,
            maxLongStringChars: Number.POSITIVE_INFINITY,
          },
        });
        // Without bounds the random model keeps writing inside a string to the token limit.
        expect(open.runs.flat().some((f) => f.reason === "length")).toBe(true);
        expect(open.invalid.length).toBeGreaterThan(0);

        const bounded = await runTurns(provider, 12, { maxOutputTokens: 1024 });
        const finishes = bounded.runs.flat();
        expect(bounded.invalid).toEqual([]);
        expect(finishes.every((f) => f.reason === "stop-sequence")).toBe(true);
        for (const text of bounded.texts) {
          const parsed = parseReply(text, {
            toolNames: [...tools.map((t) => t.name), "done"],
            finishReason: "stop-sequence",
          });
          expect(parsed.kind, text).toBe("call");
        }
      }
    },
    SLOW,
  );

  it(
    "starts each prompt with the previous prompt and reply, token for token",
    async () => {
      {
        const { runs } = await runTurns(provider, 8, { maxOutputTokens: 1024 });
        let checked = 0;
        for (const run of runs) {
          for (let i = 1; i < run.length; i++) {
            const before = run[i - 1] as FinishPart;
            const now = run[i] as FinishPart;
            const replyTokens = before.tokens?.ids.length ?? 0;
            expect(replyTokens).toBeGreaterThan(0);
            // Everything of the last turn is reused but the reply's last token, which the
            // engine sampled and never evaluated: only the new tokens are evaluated.
            const reused = (before.usage?.inputTokens ?? 0) + replyTokens - 1;
            expect(now.usage?.cachedInputTokens).toBe(reused);
            expect(now.usage?.evaluatedInputTokens).toBe((now.usage?.inputTokens ?? 0) - reused);
            checked++;
          }
        }
        expect(checked).toBeGreaterThan(0);
      }
    },
    SLOW,
  );
});
