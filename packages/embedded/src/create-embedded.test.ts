import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  type ChatMessage,
  type ChatRequest,
  type FinishPart,
  GemmaCoderError,
  type StreamPart,
} from "@gemma-coder/core";
import { LlamaCompletion } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { tinyModel } from "./__fixtures__/tiny-model.js";
import {
  createEmbedded,
  type EmbeddedProgressEvent,
  type EmbeddedProvider,
} from "./create-embedded.js";

let model: Awaited<ReturnType<typeof tinyModel>>;
let provider: EmbeddedProvider;
const progress: EmbeddedProgressEvent[] = [];

beforeAll(async () => {
  model = await tinyModel(7);
  provider = createEmbedded({
    model: model.file,
    contextSize: 2048,
    gpu: false,
    threads: 1,
    onProgress: (e) => progress.push(e),
  });
  await provider.load();
});

afterAll(async () => {
  await provider?.dispose();
  await model?.cleanup();
});

/** Never finishes on its own, so maxTokens decides where a reply ends. */
const endless = { type: "grammar", grammar: "root ::= [a-z]{2000}" } as const;

const messages: ChatMessage[] = [
  { role: "system", content: "You are a coding agent. Reply with one tool call." },
  { role: "user", content: "Fix the failing test in tests/test_api.py" },
];

async function collect(
  request: ChatRequest,
): Promise<{ text: string; parts: StreamPart[]; finish: FinishPart }> {
  const parts: StreamPart[] = [];
  for await (const part of provider.streamChat(request)) parts.push(part);
  const finish = parts.at(-1);
  if (finish?.type !== "finish") throw new Error("the stream did not end with a finish part");
  const text = parts.map((p) => (p.type === "text-delta" ? p.text : "")).join("");
  return { text, parts, finish };
}

async function failure(run: () => Promise<unknown>): Promise<GemmaCoderError> {
  try {
    await run();
  } catch (error) {
    if (GemmaCoderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

describe("createEmbedded", () => {
  it("loads once, reporting progress and the chat format taken from the model", async () => {
    await provider.load();
    const ready = progress.filter((e) => e.type === "ready");
    expect(ready).toHaveLength(1);
    expect(ready[0]).toMatchObject({
      path: model.file,
      contextSize: 2048,
      gpu: false,
      chatFormat: "Gemma",
    });
    expect(progress.some((e) => e.type === "load-progress")).toBe(true);
    expect(provider.id).toBe("embedded");
    expect(provider.capabilities).toEqual({
      grammar: true,
      jsonSchema: true,
      exactTokenCount: true,
    });
    expect(await provider.contextWindow()).toBe(2048);
  });

  it("refuses native tools (the engine has no tool API) rather than drop them", async () => {
    const tools = [{ name: "done", description: "Finish.", parameters: { type: "object" } }];
    const error = await failure(() => collect({ messages, tools }));
    expect(error.code).toBe("unsupported");
  });

  it("counts tokens with the model's tokenizer, any UTF-8 included", async () => {
    const short = await provider.countTokens("hello");
    const long = await provider.countTokens("hello hello hello hello");
    expect(short).toBeGreaterThan(0);
    expect(long).toBeGreaterThan(short);
    expect(await provider.countTokens("😀 é")).toBeGreaterThan(0);
  });

  it("streams deltas and ends with one finish part; maxTokens cuts with reason length", async () => {
    const { parts, finish } = await collect({ messages, maxTokens: 12, constraint: endless });
    expect(parts.filter((p) => p.type === "finish")).toHaveLength(1);
    expect(parts.slice(0, -1).every((p) => p.type === "text-delta")).toBe(true);
    expect(finish.reason).toBe("length");
    expect(finish.usage?.outputTokens).toBeLessThanOrEqual(12);
    expect(finish.usage?.outputTokens).toBeGreaterThan(0);
    expect(finish.model).toBe("tiny-random");
  });

  it("stops at a stop sequence, which is not streamed", async () => {
    const grammar = 'root ::= "Sure" [a-z ]{0,6} "</tool>" [a-z]{3,9}';
    const { text, finish } = await collect({
      messages,
      maxTokens: 60,
      constraint: { type: "grammar", grammar },
    });
    expect(finish.reason).toBe("stop-sequence");
    expect(text).toMatch(/^Sure[a-z ]{0,6}$/);
  });

  it("defaults the stop sequence to </tool>, and an empty list disables it", async () => {
    const grammar = 'root ::= "<tool>x</tool>" [a-z]{2}';
    const stopped = await collect({
      messages,
      maxTokens: 40,
      constraint: { type: "grammar", grammar },
    });
    expect(stopped.text).toBe("<tool>x");
    expect(stopped.finish.reason).toBe("stop-sequence");
    const free = await collect({
      messages,
      maxTokens: 40,
      stop: [],
      constraint: { type: "grammar", grammar },
    });
    expect(free.text).toMatch(/^<tool>x<\/tool>[a-z]{2}$/);
    expect(free.finish.reason).toBe("stop");
  });

  it("enforces a JSON schema", async () => {
    const schema = {
      type: "object",
      properties: { name: { const: "done" }, n: { type: "integer", minimum: 1, maximum: 9 } },
      required: ["name", "n"],
    };
    for (const temperature of [0, 1]) {
      const { text } = await collect({
        messages,
        maxTokens: 80,
        temperature,
        constraint: { type: "json-schema", schema },
      });
      const value = JSON.parse(text) as { name: string; n: number };
      expect(value.name).toBe("done");
      expect(value.n).toBeGreaterThanOrEqual(1);
      expect(value.n).toBeLessThanOrEqual(9);
    }
  });

  // A grammar the engine cannot compile: broken-grammar.test.ts (llama.cpp prints its parse
  // errors itself, so that test runs the engine in a child process and checks the output).

  it("evaluates only the new tokens when the conversation grows", async () => {
    const fresh = createEmbedded({ model: model.file, contextSize: 2048, gpu: false, threads: 1 });
    try {
      const first: FinishPart[] = [];
      const turn = async (history: ChatMessage[]) => {
        let text = "";
        for await (const part of fresh.streamChat({
          messages: history,
          maxTokens: 30,
          constraint: { type: "grammar", grammar: 'root ::= "<tool>" [a-z]{1,8} "</tool>"' },
        })) {
          if (part.type === "text-delta") text += part.text;
          else if (part.type === "finish") first.push(part);
        }
        return text;
      };
      const history: ChatMessage[] = [
        { role: "system", content: `You are a coding agent. ${"Follow the rules. ".repeat(30)}` },
        { role: "user", content: "Fix the bug." },
      ];
      const reply = await turn(history);
      const result = '<tool_result>{"ok": true, "value": "1| def add(a, b):"}</tool_result>';
      history.push(
        { role: "assistant", content: `${reply}</tool>` },
        { role: "user", content: result },
      );
      await turn(history);
      const [one, two] = first.map((f) => f.usage ?? {});
      // A fresh sequence evaluates the whole prompt (the engine may keep the last token for sampling).
      expect(one?.cachedInputTokens).toBeLessThanOrEqual(1);
      expect(two?.inputTokens).toBeGreaterThan(one?.inputTokens ?? 0);
      // Only the new turn (result text plus a few template tokens) is evaluated.
      const newTokens = await fresh.countTokens(`${reply}</tool>${result}`);
      expect(two?.evaluatedInputTokens).toBeLessThanOrEqual(newTokens + 32);
      expect(two?.evaluatedInputTokens).toBeLessThan((two?.inputTokens ?? 0) / 2);
      expect(two?.cachedInputTokens).toBeGreaterThanOrEqual((one?.inputTokens ?? 0) - 4);
    } finally {
      await fresh.dispose();
    }
  });

  it("stops generating when the consumer leaves the loop early", async () => {
    const spy = vi.spyOn(LlamaCompletion.prototype, "generateCompletionWithMeta");
    try {
      let deltas = 0;
      for await (const part of provider.streamChat({
        messages,
        maxTokens: 1500,
        constraint: endless,
      })) {
        if (part.type === "text-delta" && ++deltas === 2) break;
      }
      const result = await spy.mock.results.at(-1)?.value;
      expect(result.metadata.stopReason).toBe("abort");
      expect(provider).toBeDefined();
    } finally {
      spy.mockRestore();
    }
    // The sequence is free again for the next turn.
    expect((await collect({ messages, maxTokens: 4, constraint: endless })).finish.reason).toBe(
      "length",
    );
  });

  it("aborts on the request signal with an aborted error, and recovers", async () => {
    const controller = new AbortController();
    const error = await failure(async () => {
      for await (const part of provider.streamChat({
        messages,
        maxTokens: 1500,
        constraint: endless,
        signal: controller.signal,
      })) {
        if (part.type === "text-delta") controller.abort();
      }
    });
    expect(error.code).toBe("aborted");
    const already = await failure(() => collect({ messages, signal: AbortSignal.abort() }));
    expect(already.code).toBe("aborted");
    expect((await collect({ messages, maxTokens: 4, constraint: endless })).finish.reason).toBe(
      "length",
    );
  });

  it("runs concurrent requests one after the other", async () => {
    const other: ChatMessage[] = [
      ...messages,
      { role: "assistant", content: "ok" },
      { role: "user", content: "next" },
    ];
    const results = await Promise.all([
      collect({ messages, maxTokens: 5, constraint: endless }),
      collect({ messages: other, maxTokens: 5, constraint: endless }),
      collect({ messages, maxTokens: 5, constraint: endless }),
    ]);
    for (const { finish } of results) expect(finish.reason).toBe("length");
    // Greedy decoding of the same prompt gives the same text, whatever ran in between.
    expect(results[0]?.text).toBe(results[2]?.text);
  });

  it("fails with context-overflow instead of dropping old messages", async () => {
    const small = createEmbedded({ model: model.file, contextSize: 256, gpu: false, threads: 1 });
    try {
      const long: ChatMessage[] = [{ role: "user", content: "word ".repeat(600) }];
      const error = await failure(async () => {
        for await (const _ of small.streamChat({ messages: long, maxTokens: 8 })) {
          // drain
        }
      });
      expect(error.code).toBe("context-overflow");
      expect(error.message).toMatch(/needs \d+ tokens but the context window holds 256/);
      // A reply that would run past the end is cut with reason length instead.
      const fits: ChatMessage[] = [{ role: "user", content: "word ".repeat(40) }];
      const parts: StreamPart[] = [];
      for await (const part of small.streamChat({
        messages: fits,
        maxTokens: 5000,
        constraint: endless,
      })) {
        parts.push(part);
      }
      const finish = parts.at(-1) as FinishPart;
      expect(finish.reason).toBe("length");
      expect(
        (finish.usage?.inputTokens ?? 0) + (finish.usage?.outputTokens ?? 0),
      ).toBeLessThanOrEqual(256);
    } finally {
      await small.dispose();
    }
  });
});

describe("createEmbedded failures and disposal", () => {
  it("needs a model", () => {
    expect(() => createEmbedded({ model: "" })).toThrow(/needs a model/);
  });

  it("reports a missing file as model-not-found and a broken one as invalid-argument", async () => {
    const missing = createEmbedded({
      model: path.join(model.dir, "nope.gguf"),
      gpu: false,
      threads: 1,
    });
    expect((await failure(() => missing.load())).code).toBe("model-not-found");
    const notGguf = path.join(model.dir, "not.gguf");
    await writeFile(notGguf, "This is a text file, not a model.");
    const future = path.join(model.dir, "future.gguf");
    await writeFile(
      future,
      Buffer.concat([Buffer.from("GGUF"), Buffer.from([99, 0, 0, 0]), Buffer.alloc(40)]),
    );
    const truncated = path.join(model.dir, "truncated.gguf");
    await writeFile(truncated, (await readFile(model.file)).subarray(0, 3000));
    for (const [file, message] of [
      [notGguf, /not a usable GGUF model: it does not start with the GGUF signature/],
      [future, /not a usable GGUF model: unsupported GGUF version 99/],
      [truncated, /could not be loaded/],
    ] as const) {
      const bad = createEmbedded({ model: file, gpu: false, threads: 1 });
      const error = await failure(() => bad.load());
      expect(error.code).toBe("invalid-argument");
      expect(error.message).toMatch(message);
      await bad.dispose();
    }
    await missing.dispose();
  });

  it("routes the engine's errors to onLog, also after another provider was disposed", async () => {
    // Disposing an engine and starting another used to leave the new one without its log
    // callback, so llama.cpp printed straight to the process's output.
    const first = createEmbedded({ model: model.file, contextSize: 512, gpu: false, threads: 1 });
    await first.load();
    await first.dispose();
    const truncated = path.join(model.dir, "cut.gguf");
    await writeFile(truncated, (await readFile(model.file)).subarray(0, 3000));
    const lines: string[] = [];
    const bad = createEmbedded({
      model: truncated,
      gpu: false,
      threads: 1,
      onLog: (level, message) => lines.push(`${level}: ${message}`),
    });
    expect((await failure(() => bad.load())).code).toBe("invalid-argument");
    await bad.dispose();
    expect(lines.join("\n")).toMatch(/error: .*gguf_init_from_reader: failed/);
  });

  it("lets one caller abort its wait for the model without failing another caller", async () => {
    const shared = createEmbedded({ model: model.file, contextSize: 512, gpu: false, threads: 1 });
    const controller = new AbortController();
    const first = shared.load({ signal: controller.signal });
    const second = shared.load();
    controller.abort();
    expect((await failure(() => first)).code).toBe("aborted");
    await expect(second).resolves.toBeUndefined();
    expect(await shared.contextWindow()).toBe(512);
    await shared.dispose();
  });

  it("stops a running generation on dispose, then refuses new work", async () => {
    const local = createEmbedded({ model: model.file, contextSize: 1024, gpu: false, threads: 1 });
    const stream = local
      .streamChat({ messages, maxTokens: 1000, constraint: endless })
      [Symbol.asyncIterator]();
    const first = await stream.next();
    expect(first.done).toBe(false);
    await local.dispose();
    await local.dispose();
    const error = await failure(async () => {
      for (let step = await stream.next(); !step.done; step = await stream.next()) {
        // drain whatever was queued before the stop
      }
    });
    expect(error.message).toMatch(/disposed/);
    expect((await failure(() => local.load())).message).toMatch(/disposed/);
  });
});
