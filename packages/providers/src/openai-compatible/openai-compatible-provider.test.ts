import type { ChatMessage } from "@gemma-coder/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect } from "../testing/collect.js";
import { errorReply, jsonReply, streamReply } from "../testing/fault-handlers.js";
import { localLlamaFixtures } from "../testing/http-fixture.js";
import { replay } from "../testing/llama-server-emulator.js";
import { jsonBody, type LoopbackServer, startLoopbackServer } from "../testing/loopback-server.js";
import { openRouterWire } from "../testing/wire-formats.js";
import {
  createOpenAICompatible,
  type OpenAICompatibleOptions,
} from "./openai-compatible-provider.js";

const messages: ChatMessage[] = [{ role: "user", content: "hi" }];
let server: LoopbackServer;
const disposers: Array<() => Promise<void>> = [];
beforeEach(async () => {
  server = await startLoopbackServer();
});
afterEach(async () => {
  for (const dispose of disposers.splice(0)) await dispose();
  await server.close();
});

function provider(options: Partial<OpenAICompatibleOptions> = {}) {
  const created = createOpenAICompatible({
    baseUrl: `${server.url}/v1`,
    sleep: async () => {},
    ...options,
  });
  disposers.push(() => created.dispose());
  return created;
}

describe("createOpenAICompatible", () => {
  it("streams /chat/completions with the key, the default stop and stream_options", async () => {
    server.route("POST /v1/chat/completions", replay(localLlamaFixtures, "chat-stream"));
    const lmStudio = provider({
      model: "gemma-4-e4b-it",
      apiKey: "lm-studio",
      id: "lm-studio",
      extraBody: { top_k: 40 },
    });
    const result = await collect(lmStudio.streamChat({ messages }));
    expect(result.text.startsWith("klrior ph unit")).toBe(true);
    expect(result.finish).toMatchObject({
      reason: "length",
      model: "gpt-3.5-turbo",
      usage: { inputTokens: 45, outputTokens: 16 },
    });
    const request = server.requests[0];
    expect(request?.headers.authorization).toBe("Bearer lm-studio");
    expect(request?.json).toEqual({
      model: "gemma-4-e4b-it",
      messages,
      stream: true,
      stop: ["</tool>"],
      stream_options: { include_usage: true },
      top_k: 40,
    });
    expect(lmStudio.id).toBe("lm-studio");
    expect(lmStudio.model).toBe("gemma-4-e4b-it");
  });

  it("uses the stop string vLLM reports in stop_reason", async () => {
    server.route("POST /v1/chat/completions", (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(
        `data: ${JSON.stringify({ model: "m", choices: [{ index: 0, delta: { content: "done" }, finish_reason: null }] })}\n\n`,
      );
      res.write(
        `data: ${JSON.stringify({ model: "m", choices: [{ index: 0, delta: {}, finish_reason: "stop", stop_reason: "</tool>" }] })}\n\n`,
      );
      res.end("data: [DONE]\n\n");
    });
    expect((await collect(provider().streamChat({ messages }))).finish?.reason).toBe(
      "stop-sequence",
    );
  });

  it("sends a JSON schema as response_format and refuses a grammar without grammarField", async () => {
    server.route("POST /v1/chat/completions", streamReply(openRouterWire, ["{}"]));
    const schema = { type: "object" };
    await collect(provider().streamChat({ messages, constraint: { type: "json-schema", schema } }));
    expect(jsonBody(server.requests[0]).response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "reply", schema, strict: false },
    });
    const refused = await collect(
      provider().streamChat({ messages, constraint: { type: "grammar", grammar: "root ::= x" } }),
    );
    expect(refused.error?.code).toBe("unsupported");
    await collect(
      provider({ grammarField: "guided_grammar" }).streamChat({
        messages,
        constraint: { type: "grammar", grammar: "root ::= x" },
      }),
    );
    expect(jsonBody(server.requests.at(-1)).guided_grammar).toBe("root ::= x");
  });

  it("reads vLLM's error object inside a stream", async () => {
    server.route("POST /v1/chat/completions", (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(
        `data: ${JSON.stringify({ object: "error", message: "maximum context length is 4096 tokens", type: "BadRequestError", code: 400 })}\n\n`,
      );
    });
    const result = await collect(provider({ retry: { maxRetries: 0 } }).streamChat({ messages }));
    expect(result.error?.code).toBe("context-overflow");
  });

  it("reads the context window from the option or from /models", async () => {
    server.route(
      "GET /v1/models",
      jsonReply({ object: "list", data: [{ id: "m", max_model_len: 32_768 }] }),
    );
    expect(await provider({ model: "m" }).contextWindow()).toBe(32_768);
    expect(await provider({ contextWindow: 8192 }).contextWindow()).toBe(8192);
    expect(await provider().health()).toMatchObject({ ok: true, status: "ok" });
    server.route("GET /v1/models", errorReply(openRouterWire, 401, "bad key"));
    expect(await provider().health()).toMatchObject({ ok: false, status: "error" });
  });

  it("requires a base URL", () => {
    expect(() => createOpenAICompatible({ baseUrl: "" })).toThrow(/baseUrl is required/);
  });
});
