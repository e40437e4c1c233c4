import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createOllama } from "../ollama/ollama-provider.js";
import { collect } from "../testing/collect.js";
import { streamReply } from "../testing/fault-handlers.js";
import { type LoopbackServer, startLoopbackServer } from "../testing/loopback-server.js";
import { ollamaWire } from "../testing/wire-formats.js";

// undici failing to load, as it does inside an ESM bundle or where it is not installed.
vi.mock("undici", () => {
  throw new Error('Dynamic require of "node:assert" is not supported');
});

describe("HTTP providers where undici is unavailable", () => {
  let server: LoopbackServer;
  beforeEach(async () => {
    server = await startLoopbackServer();
  });
  afterEach(async () => {
    vi.unstubAllGlobals();
    await server.close();
  });

  it("send their requests with the global fetch", async () => {
    const globalFetch = globalThis.fetch;
    const calls: string[] = [];
    vi.stubGlobal("fetch", (input: string | URL | Request, init?: RequestInit) => {
      calls.push(String(input));
      return globalFetch(input, init);
    });
    server.route("POST /api/chat", streamReply(ollamaWire, ["Hello", " there"]));
    const provider = createOllama({ baseUrl: server.url });
    const result = await collect(
      provider.streamChat({ messages: [{ role: "user", content: "hi" }] }),
    );
    await provider.dispose();
    expect(result.error).toBeUndefined();
    expect(result.text).toBe("Hello there");
    expect(calls).toEqual([`${server.url}/api/chat`]);
  });
});
