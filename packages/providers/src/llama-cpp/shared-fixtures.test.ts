import path from "node:path";
import type { ChatMessage } from "@gemma-coder/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect } from "../testing/collect.js";
import { listHttpFixtures, loadHttpFixture, sharedLlamaFixtures } from "../testing/http-fixture.js";
import { replay } from "../testing/llama-server-emulator.js";
import { type LoopbackServer, startLoopbackServer } from "../testing/loopback-server.js";
import { createLlamaCpp } from "./llama-cpp-provider.js";

// Replays every recorded exchange in the workspace's shared fixtures, byte for byte,
// so that a new recording is exercised without a new test. The project's own copies
// (src/__fixtures__) cover the same ground on a fresh clone.
const dir = sharedLlamaFixtures();
if (!dir) {
  console.warn(
    "skipping shared llama-server fixtures: ../shared/fixtures/llama-server not found (set GEMMA_CODER_SHARED)",
  );
}

const messages: ChatMessage[] = [
  { role: "system", content: "You are a coding agent." },
  { role: "user", content: "Fix the bug in src/api.py" },
];

/** What each known recording must produce; other recordings get the generic check only. */
const expected: Record<string, { reason?: string; error?: string; notice?: string }> = {
  "chat-bad-json": { error: "provider-http" },
  "chat-ctx-exceeded": { reason: "length", notice: "context-overflow" },
  "chat-json-schema": { reason: "length" },
  "chat-stream": { reason: "length" },
  chat: { reason: "length" },
  "completion-bad-grammar": { reason: "length" },
  "completion-ctx-exceeded": { error: "context-overflow" },
  "completion-grammar-stream": { reason: "stop" },
  "completion-stop": { reason: "stop-sequence" },
  "completion-stream": { reason: "length" },
  completion: { reason: "length" },
};

/** The reply text a recording holds, read without the provider's decoders. */
function recordedText(name: string): string {
  const body = loadHttpFixture(path.join(dir ?? "", `${name}.response.http`)).body.toString("utf8");
  type Chunk = {
    content?: string;
    choices?: { delta?: { content?: string }; message?: { content?: string } }[];
  };
  const read = (chunk: Chunk) =>
    chunk.content ??
    chunk.choices?.[0]?.delta?.content ??
    chunk.choices?.[0]?.message?.content ??
    "";
  if (!body.startsWith("data: ")) return read(JSON.parse(body));
  let text = "";
  for (const line of body.split("\n")) {
    if (line.startsWith("data: ") && line !== "data: [DONE]")
      text += read(JSON.parse(line.slice(6)));
  }
  return text;
}

describe.skipIf(!dir)("recorded llama-server exchanges (shared fixtures)", () => {
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startLoopbackServer();
    server.route("GET /props", replay(dir!, "props"));
  });
  afterAll(() => server.close());

  const names = dir ? listHttpFixtures(dir) : [];
  const generation = names.filter(
    (name) => name.startsWith("completion") || name.startsWith("chat"),
  );

  it.each(generation)(
    "%s: a correct reply or a typed error, never duplicated text",
    async (name) => {
      const chat = name.startsWith("chat");
      server.route(chat ? "POST /v1/chat/completions" : "POST /completion", replay(dir!, name));
      const llama = createLlamaCpp({
        baseUrl: server.url,
        mode: chat ? "chat" : "completion",
        retry: { maxRetries: 0 },
      });
      try {
        const result = await collect(llama.streamChat({ messages }));
        const want = expected[name];
        if (result.error) {
          expect(result.error.code).toMatch(
            /^(provider-|context-overflow|rate-limited|model-not-found)/,
          );
          expect(result.error.provider).toBe("llama-cpp");
          if (want) expect(result.error.code).toBe(want.error);
        } else {
          expect(result.finish).toBeDefined();
          expect(result.text).toBe(recordedText(name));
          if (want?.reason) expect(result.finish?.reason).toBe(want.reason);
          if (want?.error) expect.fail(`${name} should have failed with ${want.error}`);
        }
        if (want?.notice)
          expect(result.notices.map((notice) => notice.kind)).toContain(want.notice);
      } finally {
        await llama.dispose();
      }
    },
  );

  it.runIf(names.includes("props") && names.includes("tokenize") && names.includes("health"))(
    "props, tokenize, health and models",
    async () => {
      server.route("POST /tokenize", replay(dir!, "tokenize"));
      server.route("GET /health", replay(dir!, "health"));
      server.route("GET /v1/models", replay(dir!, "models"));
      const llama = createLlamaCpp({ baseUrl: server.url });
      try {
        expect(await llama.contextWindow()).toBe(4096);
        expect(await llama.countTokens('<tool>{"name": "read_file"}</tool>')).toBe(14);
        expect((await llama.health()).ok).toBe(true);
        expect((await llama.listModels())[0]?.contextLength).toBe(8192);
      } finally {
        await llama.dispose();
      }
    },
  );

  it.runIf(names.includes("not-found"))("not-found: a typed 404", async () => {
    server.route("POST /completion", replay(dir!, "not-found"));
    const llama = createLlamaCpp({ baseUrl: server.url, mode: "completion" });
    try {
      const result = await collect(llama.streamChat({ messages }));
      expect(result.error?.status).toBe(404);
    } finally {
      await llama.dispose();
    }
  });
});
