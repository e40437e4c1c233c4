import { Agent, createMemorySessionStore, type ModelProvider } from "@gemma-coder/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { HttpProviderOptions } from "./http/options.js";
import { createLlamaCpp } from "./llama-cpp/llama-cpp-provider.js";
import { createOllama } from "./ollama/ollama-provider.js";
import { createOpenRouter } from "./openrouter/openrouter-provider.js";
import { localLlamaFixtures } from "./testing/http-fixture.js";
import { replay } from "./testing/llama-server-emulator.js";
import {
  type Handler,
  type LoopbackServer,
  startLoopbackServer,
} from "./testing/loopback-server.js";
import {
  llamaCompletionWire,
  ollamaWire,
  openRouterWire,
  type WireFormat,
} from "./testing/wire-formats.js";

// A backend that ignores maxTokens and streams without end must not hold the run: the
// agent cuts the reply at its cap, closes the request, and records only the capped text.

type Provider = ModelProvider & { dispose(): Promise<void> };

interface Target {
  format: WireFormat;
  route: string;
  create(baseUrl: string, options: HttpProviderOptions): Provider;
  setup?(server: LoopbackServer): void;
}

const targets: Target[] = [
  {
    format: ollamaWire,
    route: "POST /api/chat",
    create: (baseUrl, options) => createOllama({ baseUrl, ...options }),
  },
  {
    format: openRouterWire,
    route: "POST /chat/completions",
    create: (baseUrl, options) =>
      createOpenRouter({ baseUrl, apiKey: "sk-or-test", fallbackModels: [], ...options }),
  },
  {
    format: llamaCompletionWire,
    route: "POST /completion",
    create: (baseUrl, options) => createLlamaCpp({ baseUrl, ...options }),
    setup: (server) => server.route("GET /props", replay(localLlamaFixtures, "props")),
  },
];

/** Streams text frames until the client goes away. */
function endless(format: WireFormat): Handler {
  const piece = "lorem ipsum ".repeat(50);
  // The frames of a one-piece reply, minus the final ones: one text frame to repeat.
  const frames = format.frames([piece], { reason: "eos" });
  const textFrame = frames.find((frame) => frame.includes("lorem")) as string;
  const lead = frames.slice(0, frames.indexOf(textFrame));
  return async (_req, res) => {
    res.writeHead(200, { "content-type": format.contentType, "transfer-encoding": "chunked" });
    for (const frame of lead) res.write(frame);
    while (!res.destroyed && !res.writableEnded) {
      // Wait for the socket to take the frame, so a closed client is seen promptly.
      if (!res.write(textFrame)) await new Promise((resolve) => res.once("drain", resolve));
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
}

describe.each(targets)("$format.name: an endless reply", (target) => {
  let server: LoopbackServer;
  let provider: Provider;

  beforeEach(async () => {
    server = await startLoopbackServer();
    target.setup?.(server);
    provider = target.create(server.url, { retry: { maxRetries: 0 } });
  });
  afterEach(async () => {
    await provider.dispose();
    await server.close();
  });

  it("is cut at the cap, its request closed, and the run ends", async () => {
    server.route(target.route, endless(target.format));
    const session = createMemorySessionStore();
    const agent = new Agent({
      provider,
      rules: false,
      contextWindow: 8192,
      session,
      maxReplyChars: 20_000,
      maxInvalidReplies: 2,
    });

    const result = await agent.run("Write something");

    expect(result).toMatchObject({ status: "failed", stopReason: "invalid-replies" });
    const requests = server.requestsFor(target.route);
    expect(requests).toHaveLength(2);
    // Every request was closed by the client; none is left streaming.
    await Promise.all(requests.map((request) => request.responseClosed));
    const records = (await session.load(result.sessionId as string)).records;
    const replies = records.filter((record) => record.type === "reply") as Array<{
      text: string;
    }>;
    expect(replies.map((reply) => reply.text.length)).toEqual([20_000, 20_000]);
  });
});
