import type { ChatMessage } from "@gemma-coder/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, recordingSleep } from "../testing/collect.js";
import { errorReply, jsonReply, neverAnswer, streamReply } from "../testing/fault-handlers.js";
import { jsonBody, type LoopbackServer, startLoopbackServer } from "../testing/loopback-server.js";
import { ollamaWire } from "../testing/wire-formats.js";
import { createOllama, type OllamaOptions, trainedContextLength } from "./ollama-provider.js";

const messages: ChatMessage[] = [
  { role: "system", content: "You are a coding agent." },
  { role: "user", content: "Fix the bug in src/api.py" },
];
const CALL = ["<tool>\n", '{"name": "read_file", ', '"args": {"path": "src/api.py"}}', "\n"];

let server: LoopbackServer;
const disposers: Array<() => Promise<void>> = [];

beforeEach(async () => {
  server = await startLoopbackServer();
});
afterEach(async () => {
  for (const dispose of disposers.splice(0)) await dispose();
  await server.close();
});

function provider(options: OllamaOptions = {}) {
  const created = createOllama({
    baseUrl: server.url,
    sleep: recordingSleep(),
    timeouts: { firstByteMs: 1000, idleMs: 500 },
    ...options,
  });
  disposers.push(() => created.dispose());
  return created;
}

describe("createOllama", () => {
  it("streams /api/chat with num_ctx, the default stop and keep_alive, and reports usage", async () => {
    server.route(
      "POST /api/chat",
      streamReply(ollamaWire, CALL, { reason: "eos", promptTokens: 40, outputTokens: 21 }),
    );
    const ollama = provider({ numCtx: 8192, keepAlive: "30m", options: { top_k: 20, num_ctx: 1 } });
    const result = await collect(ollama.streamChat({ messages, maxTokens: 256, temperature: 0.2 }));
    expect(result.text).toBe(CALL.join(""));
    expect(result.finish).toEqual({
      type: "finish",
      reason: "stop-sequence",
      model: "gemma4:e4b",
      usage: { inputTokens: 40, outputTokens: 21 },
    });
    expect(server.requests[0]?.json).toEqual({
      model: "gemma4:e4b",
      messages,
      stream: true,
      options: { top_k: 20, num_ctx: 8192, stop: ["</tool>"], num_predict: 256, temperature: 0.2 },
      keep_alive: "30m",
    });
  });

  it("always sends num_ctx, with its default when none is configured", async () => {
    server.route("POST /api/chat", streamReply(ollamaWire, ["hi"]));
    const ollama = provider();
    await collect(ollama.streamChat({ messages, stop: [] }));
    const body = server.requests[0]?.json as { options: Record<string, unknown> };
    expect(body.options).toEqual({ num_ctx: 16_384 });
    expect(ollama.numCtx).toBe(16_384);
  });

  it("reports stop for a reply that ended on its own and length for one cut by num_predict", async () => {
    server.route(
      "POST /api/chat",
      streamReply(ollamaWire, ["All done."]),
      streamReply(ollamaWire, ['<tool>\n{"name"'], { reason: "length" }),
    );
    const ollama = provider();
    expect((await collect(ollama.streamChat({ messages }))).finish?.reason).toBe("stop");
    expect((await collect(ollama.streamChat({ messages }))).finish?.reason).toBe("length");
  });

  it("passes a JSON-schema constraint as format and refuses a grammar", async () => {
    server.route("POST /api/chat", streamReply(ollamaWire, ['{"name":"done"}']));
    const ollama = provider();
    const schema = { type: "object", properties: { name: { type: "string" } } };
    await collect(ollama.streamChat({ messages, constraint: { type: "json-schema", schema } }));
    expect(jsonBody(server.requests[0]).format).toEqual(schema);
    const refused = await collect(
      ollama.streamChat({ messages, constraint: { type: "grammar", grammar: 'root ::= "x"' } }),
    );
    expect(refused.error?.code).toBe("unsupported");
    expect(server.requests).toHaveLength(1);
  });

  it("turns 'model not found' into model-not-found telling to run ollama pull, without retrying", async () => {
    server.route(
      "POST /api/chat",
      errorReply(ollamaWire, 404, 'model "gemma4:e2b" not found, try pulling it first'),
    );
    const result = await collect(provider({ model: "gemma4:e2b" }).streamChat({ messages }));
    expect(result.error?.code).toBe("model-not-found");
    expect(result.error?.status).toBe(404);
    expect(result.error?.provider).toBe("ollama");
    expect(result.error?.message).toContain("Run `ollama pull gemma4:e2b`");
    expect(server.requests).toHaveLength(1);
  });

  it("reads an error line inside a 200 stream as a typed error", async () => {
    server.route(
      "POST /api/chat",
      streamReply(
        ollamaWire,
        ["Let me "],
        { reason: "eos" },
        { kind: "error-frame", after: 1, message: "model runner has unexpectedly stopped" },
      ),
    );
    const result = await collect(provider().streamChat({ messages }));
    expect(result.text).toBe("Let me ");
    expect(result.error?.code).toBe("provider-stream");
    expect(result.error?.message).toContain("model runner has unexpectedly stopped");
    expect(server.requests).toHaveLength(1);
  });

  it("does not retry an out-of-memory error", async () => {
    server.route(
      "POST /api/chat",
      errorReply(
        ollamaWire,
        500,
        "model requires more system memory (9 GiB) than is available (4 GiB)",
      ),
    );
    const result = await collect(provider().streamChat({ messages }));
    expect(result.error?.isRetryable).toBe(false);
    expect(result.error?.message).toContain("smaller numCtx");
    expect(server.requests).toHaveLength(1);
  });

  it("tells the agent the real window: num_ctx, capped by the model's trained length", async () => {
    const show = {
      model_info: { "general.architecture": "gemma3", "gemma3.context_length": 8192 },
    };
    server.route("POST /api/show", jsonReply(show));
    expect(await provider({ numCtx: 32_768 }).contextWindow()).toBe(8192);
    expect(await provider({ numCtx: 4096 }).contextWindow()).toBe(4096);
    expect(jsonBody(server.requests[0]).model).toBe("gemma4:e4b");
  });

  it("reads the context length from any *.context_length entry", () => {
    expect(trainedContextLength({ model_info: { "foo.context_length": 1234 } })).toBe(1234);
    expect(trainedContextLength({})).toBeUndefined();
  });

  it("lists local models and checks health", async () => {
    server.route(
      "GET /api/tags",
      jsonReply({ models: [{ name: "gemma4:e4b", model: "gemma4:e4b", size: 1 }] }),
    );
    server.route("GET /api/version", jsonReply({ version: "0.12.3" }));
    const ollama = provider();
    expect((await ollama.listModels()).map((model) => model.id)).toEqual(["gemma4:e4b"]);
    expect(await ollama.health()).toMatchObject({ ok: true, status: "ok", version: "0.12.3" });
  });

  it("reports an unreachable server from health() without throwing", async () => {
    const ollama = provider({ baseUrl: "http://127.0.0.1:9" });
    const health = await ollama.health();
    expect(health.ok).toBe(false);
    expect(health.status).toBe("unreachable");
    expect(health.message).toContain("ollama serve");
  });

  it("rejects a numCtx that is not a positive integer", () => {
    expect(() => createOllama({ numCtx: 0 })).toThrow(/numCtx must be a positive integer/);
  });

  it("reads OLLAMA_HOST from the injected environment", () => {
    expect(createOllama({ env: { OLLAMA_HOST: "0.0.0.0:9999" } }).baseUrl).toBe(
      "http://127.0.0.1:9999",
    );
    expect(createOllama({ env: {} }).baseUrl).toBe("http://127.0.0.1:11434");
  });

  it("bounds the whole wait for a reply across retries (timeouts.totalMs) and says so", async () => {
    // A server that accepts and never answers: without a total, 4 first-byte waits.
    server.route("POST /api/chat", neverAnswer());
    const ollama = provider({ timeouts: { firstByteMs: 60_000, totalMs: 200 } });
    const result = await collect(ollama.streamChat({ messages }));
    expect(result.error?.code).toBe("provider-timeout");
    expect(result.error?.isRetryable).toBe(false);
    expect(result.error?.message).toContain("timeouts.totalMs");
    expect(result.error?.message).toContain("200 ms");
    expect(server.requests).toHaveLength(1);
  });

  it("refuses a timeout longer than Node's timers can hold instead of firing at once", () => {
    expect(() => createOllama({ timeouts: { firstByteMs: 597 * 3_600_000 } })).toThrow(
      /timeouts.firstByteMs .* longer than the longest timer/,
    );
    expect(() => createOllama({ timeouts: { totalMs: Number.POSITIVE_INFINITY } })).not.toThrow();
  });

  it("clamps num_ctx to the trained context length the server reports, with a notice", async () => {
    const show = {
      model_info: { "general.architecture": "gemma3", "gemma3.context_length": 32_768 },
    };
    server.route("POST /api/show", jsonReply(show));
    server.route("POST /api/chat", streamReply(ollamaWire, CALL, { reason: "eos" }));
    const ollama = provider({ numCtx: 1_000_000 });
    expect(await ollama.contextWindow()).toBe(32_768);
    const result = await collect(ollama.streamChat({ messages }));
    const chat = server.requestsFor("POST /api/chat")[0];
    expect((jsonBody(chat).options as Record<string, unknown>).num_ctx).toBe(32_768);
    expect(result.notices).toContainEqual(
      expect.objectContaining({
        kind: "context-clamped",
        data: { requested: 1_000_000, used: 32_768 },
      }),
    );
  });
});
