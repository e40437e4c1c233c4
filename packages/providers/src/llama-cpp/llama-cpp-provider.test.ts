import path from "node:path";
import type { ChatMessage } from "@gemma-coder/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, recordingSleep } from "../testing/collect.js";
import { errorReply, jsonReply, streamReply } from "../testing/fault-handlers.js";
import { loadHttpFixture, localLlamaFixtures } from "../testing/http-fixture.js";
import { replay, routeLlamaServer } from "../testing/llama-server-emulator.js";
import { jsonBody, type LoopbackServer, startLoopbackServer } from "../testing/loopback-server.js";
import { llamaCompletionWire } from "../testing/wire-formats.js";
import { createLlamaCpp, type LlamaCppOptions } from "./llama-cpp-provider.js";

const dir = localLlamaFixtures;
const messages: ChatMessage[] = [{ role: "user", content: "Fix the bug in src/api.py" }];
const withSystem: ChatMessage[] = [
  { role: "system", content: "You are a coding agent." },
  { role: "user", content: "Fix the bug in src/api.py" },
];

/** The text of a recorded SSE stream, read independently of the provider's decoders. */
function recordedText(name: string): string {
  const body = loadHttpFixture(path.join(dir, `${name}.response.http`)).body.toString("utf8");
  let text = "";
  for (const line of body.split("\n")) {
    if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
    const chunk = JSON.parse(line.slice(6));
    text += chunk.content ?? chunk.choices?.[0]?.delta?.content ?? "";
  }
  return text;
}

let server: LoopbackServer;
const disposers: Array<() => Promise<void>> = [];
beforeEach(async () => {
  server = await startLoopbackServer();
  routeLlamaServer(server, dir);
});
afterEach(async () => {
  for (const dispose of disposers.splice(0)) await dispose();
  await server.close();
});

function provider(options: LlamaCppOptions = {}) {
  const sleep = recordingSleep();
  const created = createLlamaCpp({ baseUrl: server.url, sleep, random: () => 0.5, ...options });
  disposers.push(() => created.dispose());
  return Object.assign(created, { sleep });
}

describe("createLlamaCpp in completion mode (recorded exchanges)", () => {
  it("renders the prompt from /props' template and parses the recorded stream", async () => {
    server.route("POST /completion", replay(dir, "completion-stream"));
    const llama = provider();
    const result = await collect(llama.streamChat({ messages, maxTokens: 16, temperature: 0.7 }));
    expect(result.text).toBe(recordedText("completion-stream"));
    expect(result.text.startsWith("klocyProm")).toBe(true);
    expect(result.finish).toEqual({
      type: "finish",
      reason: "length",
      model: "tiny-random-llama.gguf",
      usage: { inputTokens: 37, outputTokens: 16, cachedInputTokens: 36, evaluatedInputTokens: 1 },
      tokens: {
        provider: "llama-cpp",
        model: "tiny-random-llama.gguf",
        ids: expect.any(Array),
        text: recordedText("completion-stream"),
      },
    });
    expect(result.finish?.tokens?.ids).toHaveLength(16);
    expect(server.requestsFor("POST /completion")[0]?.json).toEqual({
      prompt: "<start_of_turn>user\nFix the bug in src/api.py<end_of_turn>\n<start_of_turn>model\n",
      stream: true,
      cache_prompt: true,
      stop: ["</tool>", "<end_of_turn>"],
      return_tokens: true,
      n_predict: 16,
      temperature: 0.7,
    });
  });

  it("reports stop-sequence when the server stopped on </tool>, which is not in the text", async () => {
    server.route("POST /completion", replay(dir, "completion-stop"));
    const result = await collect(provider().streamChat({ messages }));
    expect(result.text).toBe(
      '<tool>  {\n\n"name":  "read_file"\n\n,  "args"\n :{"path":"cingmulticolumnlando" }}  ',
    );
    expect(result.finish?.reason).toBe("stop-sequence");
  });

  it("passes a grammar through and reads the recorded grammar-constrained stream", async () => {
    server.route("POST /completion", replay(dir, "completion-grammar-stream"));
    const grammar = 'root ::= "<tool>" [a-z]+ "</tool>"';
    const result = await collect(
      provider().streamChat({ messages, constraint: { type: "grammar", grammar } }),
    );
    expect(result.text.startsWith("<tool>  {")).toBe(true);
    expect(result.text.endsWith("}}  </tool>")).toBe(true);
    expect(result.finish?.reason).toBe("stop");
    expect(jsonBody(server.requests.at(-1)).grammar).toBe(grammar);
  });

  it("passes a JSON schema through as json_schema", async () => {
    server.route("POST /completion", replay(dir, "completion"));
    const schema = { type: "object" };
    const result = await collect(
      provider().streamChat({ messages, constraint: { type: "json-schema", schema } }),
    );
    expect(result.finish?.reason).toBe("length");
    expect(jsonBody(server.requests.at(-1)).json_schema).toEqual(schema);
  });

  it("fails with context-overflow when the server silently truncated the prompt", async () => {
    server.route("POST /completion", replay(dir, "completion-ctx-exceeded"));
    const result = await collect(provider().streamChat({ messages }));
    expect(result.error?.code).toBe("context-overflow");
    expect(result.error?.message).toContain("(4096 tokens)");
    expect(result.error?.message).toContain("truncated");
    expect(server.requestsFor("POST /completion")).toHaveLength(1);
  });

  it("can report silent truncation as a notice instead", async () => {
    server.route("POST /completion", replay(dir, "completion-ctx-exceeded"));
    const result = await collect(provider({ truncation: "notice" }).streamChat({ messages }));
    expect(result.notices).toHaveLength(1);
    expect(result.notices[0]).toMatchObject({
      kind: "context-overflow",
      data: { certain: true, contextSize: 4096 },
    });
    expect(result.finish?.usage).toMatchObject({
      inputTokens: 3954,
      evaluatedInputTokens: 3954,
      cachedInputTokens: 0,
    });
  });

  it("reports a newer build's 400 exceed_context_size_error as context-overflow, without retrying", async () => {
    server.route(
      "POST /completion",
      jsonReply(
        {
          error: {
            code: 400,
            type: "exceed_context_size_error",
            message:
              "request (5210 tokens) exceeds the available context size (4096 tokens), try increasing it",
            n_prompt_tokens: 5210,
            n_ctx: 4096,
          },
        },
        400,
      ),
    );
    const result = await collect(provider().streamChat({ messages }));
    expect(result.error?.code).toBe("context-overflow");
    expect(result.error?.status).toBe(400);
    expect(result.error?.message).toContain("5210 tokens");
    expect(result.error?.message).toContain("--ctx-size");
    expect(server.requestsFor("POST /completion")).toHaveLength(1);
  });

  it("sends a growing conversation as an append-only prompt so cache_prompt can reuse it", async () => {
    server.route("POST /completion", replay(dir, "completion-stream"));
    const llama = provider();
    const conversation: ChatMessage[] = [...withSystem];
    const prompts: string[] = [];
    for (let turn = 0; turn < 3; turn++) {
      const result = await collect(llama.streamChat({ messages: conversation }));
      prompts.push(String(jsonBody(server.requests.at(-1)).prompt));
      conversation.push({ role: "assistant", content: result.text });
      conversation.push({
        role: "user",
        content: `<tool_result>{"ok": true, "value": ${turn}}</tool_result>`,
      });
    }
    expect(prompts[1]?.startsWith(prompts[0] ?? "-")).toBe(true);
    expect(prompts[2]?.startsWith(prompts[1] ?? "-")).toBe(true);
    expect(prompts[0]).toBe(
      "<start_of_turn>user\nYou are a coding agent.\n\nFix the bug in src/api.py<end_of_turn>\n<start_of_turn>model\n",
    );
    expect(await llama.renderPrompt(withSystem)).toBe(prompts[0]);
    expect(server.requestsFor("GET /props")).toHaveLength(1);
  });

  it("waits while the server is loading the model, without using up retries", async () => {
    const loading = errorReply(llamaCompletionWire, 503, "Loading model");
    server.route("GET /props", loading, loading, replay(dir, "props"));
    server.route(
      "POST /completion",
      loading,
      loading,
      loading,
      streamReply(llamaCompletionWire, ["ok"]),
    );
    const llama = provider({ retry: { maxRetries: 0 } });
    const result = await collect(llama.streamChat({ messages }));
    expect(result.text).toBe("ok");
    expect(result.notices).toHaveLength(3);
    expect(result.notices.every((notice) => notice.data?.loading === true)).toBe(true);
    expect(llama.sleep.delays).toHaveLength(5);
  });

  it("gives up on a loading server after loadTimeoutMs", async () => {
    server.route("GET /props", errorReply(llamaCompletionWire, 503, "Loading model"));
    const llama = provider({ loadTimeoutMs: 2000, retry: { maxRetries: 0, baseDelayMs: 500 } });
    const result = await collect(llama.streamChat({ messages }));
    expect(result.error?.status).toBe(503);
    expect(result.error?.message).toContain("still loading");
    expect(llama.sleep.delays.reduce((sum, delay) => sum + delay, 0)).toBe(2000);
  });

  it("refuses forced completion mode with a template it cannot render", async () => {
    server.route(
      "GET /props",
      jsonReply({ chat_template: "{{ '[INST] ' }}", default_generation_settings: { n_ctx: 2048 } }),
    );
    const result = await collect(provider({ mode: "completion" }).streamChat({ messages }));
    expect(result.error?.code).toBe("unsupported");
    expect(result.error?.message).toContain('mode "chat"');
  });

  it("uses the template family it is given, even when /props is missing", async () => {
    server.route("GET /props", errorReply(llamaCompletionWire, 404, "File Not Found"));
    server.route("POST /completion", streamReply(llamaCompletionWire, ["ok"]));
    const result = await collect(provider({ chatTemplate: "chatml" }).streamChat({ messages }));
    expect(result.text).toBe("ok");
    expect(jsonBody(server.requests.at(-1)).prompt).toContain("<|im_start|>user\n");
  });
});

describe("createLlamaCpp in chat mode", () => {
  it("falls back to /v1/chat/completions with a notice for an unrecognised template", async () => {
    server.route(
      "GET /props",
      jsonReply({ chat_template: "{{ '[INST] ' }}", default_generation_settings: { n_ctx: 4096 } }),
    );
    server.route("POST /v1/chat/completions", replay(dir, "chat-stream"));
    const llama = provider();
    const first = await collect(llama.streamChat({ messages: withSystem, maxTokens: 16 }));
    expect(first.notices.map((notice) => notice.kind)).toEqual(["chat-template-fallback"]);
    expect(first.text).toBe(recordedText("chat-stream"));
    expect(first.text.startsWith("klrior ph unit")).toBe(true);
    const second = await collect(llama.streamChat({ messages: withSystem }));
    expect(second.notices).toEqual([]);
    expect(await llama.renderPrompt(withSystem)).toBeUndefined();
  });

  it("replays the recorded chat stream with cached and evaluated prompt tokens", async () => {
    server.route("POST /v1/chat/completions", replay(dir, "chat-stream"));
    const llama = provider({ mode: "chat" });
    const result = await collect(llama.streamChat({ messages: withSystem, maxTokens: 16 }));
    expect(result.finish).toEqual({
      type: "finish",
      reason: "length",
      model: "tiny-random-llama.gguf",
      usage: { inputTokens: 45, outputTokens: 16, cachedInputTokens: 44, evaluatedInputTokens: 1 },
    });
    expect(server.requests.at(-1)?.json).toEqual({
      messages: withSystem,
      stream: true,
      stop: ["</tool>"],
      max_tokens: 16,
      stream_options: { include_usage: true },
      cache_prompt: true,
    });
  });

  it("reads a non-streamed JSON reply when the server ignores stream: true", async () => {
    server.route("POST /v1/chat/completions", replay(dir, "chat"));
    const result = await collect(provider({ mode: "chat" }).streamChat({ messages: withSystem }));
    expect(result.text).toContain("klrior ph unit");
    expect(result.finish?.reason).toBe("length");
  });

  it("warns when a chat-mode prompt filled the context (older builds truncate it silently)", async () => {
    server.route("POST /v1/chat/completions", replay(dir, "chat-ctx-exceeded"));
    const result = await collect(provider({ mode: "chat" }).streamChat({ messages }));
    expect(result.notices).toHaveLength(1);
    expect(result.notices[0]).toMatchObject({
      kind: "context-overflow",
      data: { certain: false, promptTokens: 3979, contextSize: 4096 },
    });
    expect(result.finish?.reason).toBe("length");
  });

  it("retries a 500 and then reports the server's message", async () => {
    server.route("POST /v1/chat/completions", replay(dir, "chat-bad-json"));
    const llama = provider({ mode: "chat", retry: { maxRetries: 1 } });
    const result = await collect(llama.streamChat({ messages }));
    expect(result.error?.code).toBe("provider-http");
    expect(result.error?.status).toBe(500);
    expect(result.error?.message).toContain("[json.exception.parse_error.101]");
    expect(result.error?.message).toContain("gave up after 1 retry");
    expect(server.requestsFor("POST /v1/chat/completions")).toHaveLength(2);
  });
});

describe("createLlamaCpp server endpoints", () => {
  it("reads the context window from /props and counts tokens with /tokenize", async () => {
    const llama = provider();
    expect(await llama.contextWindow()).toBe(4096);
    expect(await llama.countTokens('<tool>{"name": "read_file"}</tool>')).toBe(14);
    expect(server.requestsFor("POST /tokenize")[0]?.json).toEqual({
      content: '<tool>{"name": "read_file"}</tool>',
      add_special: false,
    });
    expect(llama.capabilities).toEqual({
      grammar: true,
      jsonSchema: true,
      exactTokenCount: true,
      nativeTools: true,
    });
  });

  it("lists the served model and checks health, including loading", async () => {
    const llama = provider();
    expect(await llama.listModels()).toEqual([
      expect.objectContaining({ id: "/tmp/tiny/tiny-random-llama.gguf", contextLength: 8192 }),
    ]);
    expect(await llama.health()).toMatchObject({ ok: true, status: "ok" });
    server.route("GET /health", errorReply(llamaCompletionWire, 503, "Loading model"));
    expect(await llama.health()).toMatchObject({ ok: false, status: "loading" });
  });

  it("waits for a server that is starting, then loading, to become ready", async () => {
    const loading = errorReply(llamaCompletionWire, 503, "Loading model");
    server.route("GET /health", loading, loading, replay(dir, "health"));
    const llama = provider();
    await llama.waitForReady();
    expect(server.requestsFor("GET /health")).toHaveLength(3);
    expect(llama.sleep.delays).toHaveLength(2);
  });

  it("stops waiting for readiness after timeoutMs, and at once on another error", async () => {
    server.route("GET /health", errorReply(llamaCompletionWire, 503, "Loading model"));
    const llama = provider({ retry: { baseDelayMs: 400, maxDelayMs: 400 } });
    await expect(llama.waitForReady({ timeoutMs: 1000 })).rejects.toMatchObject({
      code: "provider-timeout",
    });
    expect(llama.sleep.delays.reduce((sum, delay) => sum + delay, 0)).toBe(1000);
    server.route("GET /health", errorReply(llamaCompletionWire, 401, "Invalid API Key"));
    await expect(llama.waitForReady()).rejects.toMatchObject({ code: "provider-auth" });
  });

  it("reports the recorded 404 as an error that points at baseUrl", async () => {
    server.route("POST /completion", replay(dir, "not-found"));
    const result = await collect(provider().streamChat({ messages }));
    expect(result.error?.code).toBe("provider-http");
    expect(result.error?.status).toBe(404);
    expect(result.error?.message).toContain("baseUrl");
  });
});
