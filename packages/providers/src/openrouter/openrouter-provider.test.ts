import type { ChatMessage } from "@gemma-coder/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, recordingSleep } from "../testing/collect.js";
import { errorReply, jsonReply, streamReply } from "../testing/fault-handlers.js";
import { jsonBody, type LoopbackServer, startLoopbackServer } from "../testing/loopback-server.js";
import { openRouterWire, type WireFormat } from "../testing/wire-formats.js";
import {
  createOpenRouter,
  OPENROUTER_DEFAULT_MODEL,
  OPENROUTER_FALLBACK_MODEL,
  type OpenRouterOptions,
} from "./openrouter-provider.js";

const messages: ChatMessage[] = [{ role: "user", content: "Fix the bug in src/api.py" }];
const CALL = ["<tool>\n", '{"name": "read_file", "args": {"path": "src/api.py"}}', "\n"];

let server: LoopbackServer;
const disposers: Array<() => Promise<void>> = [];
beforeEach(async () => {
  server = await startLoopbackServer();
});
afterEach(async () => {
  for (const dispose of disposers.splice(0)) await dispose();
  await server.close();
});

function provider(options: OpenRouterOptions = {}) {
  const sleep = recordingSleep();
  const created = createOpenRouter({
    baseUrl: server.url,
    env: { OPENROUTER_API_KEY: "sk-or-test" },
    sleep,
    random: () => 0.5,
    ...options,
  });
  disposers.push(() => created.dispose());
  return Object.assign(created, { sleep });
}

/** The same wire format, with a different model answering. */
function answeredBy(model: string): WireFormat {
  return {
    ...openRouterWire,
    frames: (pieces, finish) =>
      openRouterWire
        .frames(pieces, finish)
        .map((frame) =>
          frame.replace(`"model":"${OPENROUTER_DEFAULT_MODEL}"`, `"model":"${model}"`),
        ),
  };
}

describe("createOpenRouter", () => {
  it("sends the key, attribution headers and both models, and reads usage from the last chunk", async () => {
    server.route(
      "POST /chat/completions",
      streamReply(openRouterWire, CALL, {
        reason: "eos",
        promptTokens: 120,
        evaluatedTokens: 20,
        outputTokens: 30,
      }),
    );
    const openrouter = provider({ appUrl: "https://example.org/app" });
    const result = await collect(openrouter.streamChat({ messages, maxTokens: 100 }));
    expect(result.text).toBe(CALL.join(""));
    expect(result.notices).toEqual([]);
    expect(result.finish).toEqual({
      type: "finish",
      reason: "stop-sequence",
      model: OPENROUTER_DEFAULT_MODEL,
      usage: {
        inputTokens: 120,
        outputTokens: 30,
        cachedInputTokens: 100,
        evaluatedInputTokens: 20,
      },
    });
    const request = server.requests[0];
    expect(request?.headers.authorization).toBe("Bearer sk-or-test");
    expect(request?.headers["x-title"]).toBe("gemma-coder");
    expect(request?.headers["http-referer"]).toBe("https://example.org/app");
    expect(request?.json).toEqual({
      model: OPENROUTER_DEFAULT_MODEL,
      models: [OPENROUTER_DEFAULT_MODEL, OPENROUTER_FALLBACK_MODEL],
      messages,
      stream: true,
      stop: ["</tool>"],
      max_tokens: 100,
      usage: { include: true },
    });
  });

  it("prefers the apiKey option over OPENROUTER_API_KEY", async () => {
    server.route("POST /chat/completions", streamReply(openRouterWire, ["hi"]));
    await collect(provider({ apiKey: "sk-option" }).streamChat({ messages }));
    expect(server.requests[0]?.headers.authorization).toBe("Bearer sk-option");
  });

  it("fails with a config error, before any request, when there is no key", async () => {
    const result = await collect(provider({ env: {} }).streamChat({ messages }));
    expect(result.error?.code).toBe("config");
    expect(result.error?.message).toContain("OPENROUTER_API_KEY");
    expect(server.requests).toHaveLength(0);
  });

  it("says which model answered when OpenRouter fell back server-side", async () => {
    server.route(
      "POST /chat/completions",
      streamReply(answeredBy("google/gemma-4-31b-it"), ["ok"]),
    );
    const result = await collect(provider().streamChat({ messages }));
    expect(result.notices).toHaveLength(1);
    expect(result.notices[0]).toMatchObject({
      kind: "model-fallback",
      data: { requested: OPENROUTER_DEFAULT_MODEL, model: "google/gemma-4-31b-it" },
    });
    expect(result.finish?.model).toBe("google/gemma-4-31b-it");
    expect(result.parts[0]?.type).toBe("notice");
  });

  it("does not call a reply without the :free suffix a fallback", async () => {
    server.route(
      "POST /chat/completions",
      streamReply(answeredBy("google/gemma-4-26b-a4b-it"), ["ok"]),
    );
    expect((await collect(provider().streamChat({ messages }))).notices).toEqual([]);
  });

  it("falls back client-side on a 429 at once, then says which model answered", async () => {
    server.route(
      "POST /chat/completions",
      errorReply(openRouterWire, 429, "Rate limit exceeded: free-models-per-min", {
        "retry-after": "30",
      }),
      streamReply(answeredBy(OPENROUTER_FALLBACK_MODEL), ["ok"]),
    );
    const openrouter = provider();
    const result = await collect(openrouter.streamChat({ messages }));
    expect(result.text).toBe("ok");
    expect(result.notices.map((notice) => notice.kind)).toEqual(["retry", "model-fallback"]);
    expect(result.notices[0]?.message).toContain(`trying ${OPENROUTER_FALLBACK_MODEL}`);
    expect(result.finish?.model).toBe(OPENROUTER_FALLBACK_MODEL);
    expect(openrouter.sleep.delays).toEqual([0]);
    expect(server.requests[1]?.json).toMatchObject({ model: OPENROUTER_FALLBACK_MODEL });
    expect(jsonBody(server.requests[1]).models).toBeUndefined();
  });

  it("honours Retry-After once no fallback is left", async () => {
    server.route(
      "POST /chat/completions",
      errorReply(openRouterWire, 429, "Rate limit exceeded", { "retry-after": "2" }),
      streamReply(openRouterWire, ["ok"]),
    );
    const openrouter = provider({ model: "google/gemma-4-31b-it:free" });
    const result = await collect(openrouter.streamChat({ messages }));
    expect(result.text).toBe("ok");
    expect(openrouter.sleep.delays).toEqual([2000]);
    expect(jsonBody(server.requests[0]).models).toBeUndefined();
  });

  it("reports a rate limit with retryAfterSeconds when the wait is too long to sit through", async () => {
    server.route(
      "POST /chat/completions",
      errorReply(openRouterWire, 429, "Rate limit exceeded", { "retry-after": "3600" }),
    );
    const result = await collect(provider({ fallbackModels: [] }).streamChat({ messages }));
    expect(result.error?.code).toBe("rate-limited");
    expect(result.error?.retryAfterSeconds).toBe(3600);
    expect(server.requests).toHaveLength(1);
  });

  it("turns a mid-stream error chunk into a typed error without repeating text", async () => {
    server.route(
      "POST /chat/completions",
      streamReply(
        openRouterWire,
        ["Hello", " world"],
        { reason: "eos" },
        { kind: "error-frame", after: 3, message: "Provider disconnected unexpectedly" },
      ),
    );
    const result = await collect(provider().streamChat({ messages }));
    expect(result.text).toBe("Hello world");
    expect(result.error?.code).toBe("provider-stream");
    expect(result.error?.status).toBe(502);
    expect(result.error?.message).toContain("Provider disconnected unexpectedly");
    expect(server.requests).toHaveLength(1);
  });

  it("does not retry a bad key", async () => {
    server.route(
      "POST /chat/completions",
      errorReply(openRouterWire, 401, "No auth credentials found"),
    );
    const result = await collect(provider().streamChat({ messages }));
    expect(result.error?.code).toBe("provider-auth");
    expect(result.error?.message).toContain("OPENROUTER_API_KEY");
    expect(server.requests).toHaveLength(1);
  });

  it("reports an unknown model as model-not-found", async () => {
    server.route(
      "POST /chat/completions",
      errorReply(openRouterWire, 404, "No endpoints found for google/nope."),
    );
    const result = await collect(provider({ model: "google/nope" }).streamChat({ messages }));
    expect(result.error?.code).toBe("model-not-found");
  });

  it("reads the context window from /models and checks the key with /key", async () => {
    server.route(
      "GET /models",
      jsonReply({
        data: [
          { id: OPENROUTER_DEFAULT_MODEL, context_length: 262_144 },
          { id: "other", context_length: 1 },
        ],
      }),
    );
    server.route("GET /key", jsonReply({ data: { label: "sk-or-v1-abc...", usage: 0 } }));
    const openrouter = provider();
    expect(await openrouter.contextWindow()).toBe(262_144);
    expect((await openrouter.listModels()).map((model) => model.id)).toContain("other");
    expect(await openrouter.health()).toMatchObject({ ok: true, status: "ok" });
    expect((await provider({ env: {} }).health()).ok).toBe(false);
  });
});
