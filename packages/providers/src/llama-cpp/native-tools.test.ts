import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect } from "../testing/collect.js";
import { localLlamaFixtures } from "../testing/http-fixture.js";
import { replay } from "../testing/llama-server-emulator.js";
import { jsonBody, type LoopbackServer, startLoopbackServer } from "../testing/loopback-server.js";
import { createLlamaCpp, type LlamaCppProvider } from "./llama-cpp-provider.js";

// llama-server renders native tools with the model's Jinja template. Builds before
// mid-2025 refuse `tools` together with `stream: true`, and every build refuses tools
// without `--jinja`; both answers below are the server's own error messages.

const TOOLS = [{ name: "done", description: "Finish.", parameters: { type: "object" } }];
const ROUTE = "POST /v1/chat/completions";

const refusal = (message: string) => (_req: unknown, res: import("node:http").ServerResponse) => {
  res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify({ error: { code: 500, message, type: "server_error" } }));
};

const wholeReply = (_req: unknown, res: import("node:http").ServerResponse) => {
  res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
  res.end(
    JSON.stringify({
      choices: [
        {
          finish_reason: "tool_calls",
          index: 0,
          message: {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                type: "function",
                function: { name: "done", arguments: '{"summary":"ok"}' },
                id: "Xq1",
              },
            ],
          },
        },
      ],
      created: 1795316867,
      model: "gpt-3.5-turbo",
      object: "chat.completion",
      usage: { completion_tokens: 9, prompt_tokens: 30, total_tokens: 39 },
    }),
  );
};

describe("llama-cpp native tools", () => {
  let server: LoopbackServer;
  let provider: LlamaCppProvider;
  beforeEach(async () => {
    server = await startLoopbackServer();
    server.route("GET /props", replay(localLlamaFixtures, "props"));
    provider = createLlamaCpp({
      baseUrl: server.url,
      retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 1 },
    });
  });
  afterEach(async () => {
    await provider.dispose();
    await server.close();
  });

  it("asks for the whole reply once the build refuses to stream tool calls, and keeps doing so", async () => {
    server.route(ROUTE, refusal("Cannot use tools with stream"), wholeReply);
    const request = { messages: [{ role: "user" as const, content: "go" }], tools: TOOLS };
    const first = await collect(provider.streamChat(request));
    expect(first.error).toBeUndefined();
    expect(first.notices.map((notice) => notice.kind)).toEqual(["tools-without-stream"]);
    expect(first.parts.filter((part) => part.type === "tool-call")).toEqual([
      { type: "tool-call", id: "Xq1", name: "done", argsText: '{"summary":"ok"}' },
    ]);
    const second = await collect(provider.streamChat(request));
    expect(second.error).toBeUndefined();
    const sent = server.requestsFor(ROUTE).map((entry) => jsonBody(entry).stream);
    // The refusal is not retried as if it were a passing fault.
    expect(sent).toEqual([true, false, false]);
  });

  it("says that native tools need --jinja when the server runs without it", async () => {
    server.route(ROUTE, refusal("tools param requires --jinja flag"));
    const got = await collect(
      provider.streamChat({ messages: [{ role: "user", content: "go" }], tools: TOOLS }),
    );
    expect(got.error?.code).toBe("unsupported");
    expect(got.error?.message).toMatch(/--jinja/);
    expect(server.requestsFor(ROUTE)).toHaveLength(1);
  });

  it("takes the chat endpoint for tools even where the template is rendered locally", async () => {
    server.route(ROUTE, wholeReply);
    await collect(
      provider.streamChat({ messages: [{ role: "user", content: "go" }], tools: TOOLS }),
    );
    expect(server.requestsFor("POST /completion")).toHaveLength(0);
    expect(server.requestsFor(ROUTE)).toHaveLength(1);
  });
});
