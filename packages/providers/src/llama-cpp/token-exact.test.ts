import type { ChatMessage } from "@gemma-coder/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect } from "../testing/collect.js";
import { localLlamaFixtures } from "../testing/http-fixture.js";
import { createCompletionEmulator, routeLlamaServer } from "../testing/llama-server-emulator.js";
import { type LoopbackServer, startLoopbackServer } from "../testing/loopback-server.js";
import { createLlamaCpp } from "./llama-cpp-provider.js";

/** A call sampled in pieces that re-tokenizing its text never gives back. */
const CALL = [
  " ",
  "<",
  "tool",
  ">",
  "\n",
  '{"name": "read_file", ',
  '"args": {"path": "a.py"}}',
  "\n",
  "</",
  "to",
  "ol",
  ">",
];

let server: LoopbackServer;
beforeEach(async () => {
  server = await startLoopbackServer();
  routeLlamaServer(server, localLlamaFixtures);
});
afterEach(async () => {
  await server.close();
});

/** Runs `turns` turns the way the agent does, keeping each reply's tokens when asked. */
async function converse(turns: number, keepTokens: boolean) {
  const emulator = createCompletionEmulator({ replies: [CALL] });
  server.route("POST /completion", emulator.handler);
  const llama = createLlamaCpp({ baseUrl: server.url });
  const messages: ChatMessage[] = [
    { role: "system", content: "You are a coding agent." },
    { role: "user", content: "Fix the bug in src/api.py" },
  ];
  const finishes = [];
  try {
    for (let i = 0; i < turns; i++) {
      const { finish, text } = await collect(llama.streamChat({ messages, stop: ["</tool>"] }));
      if (!finish) throw new Error("no finish part");
      finishes.push(finish);
      expect(text).toBe(CALL.join("").replace("</tool>", ""));
      const tokens = keepTokens ? finish.tokens : undefined;
      messages.push(
        { role: "assistant", content: tokens ? tokens.text : text, ...(tokens ? { tokens } : {}) },
        { role: "user", content: `<tool_result>{"ok": true, "value": "turn ${i}"}</tool_result>` },
      );
    }
  } finally {
    await llama.dispose();
  }
  return { finishes, emulator };
}

describe("llama.cpp server: the generated token ids go back as they were", () => {
  it("reports the reply's ids, the held-back stop sequence included", async () => {
    const { finishes } = await converse(1, true);
    const tokens = finishes[0]?.tokens;
    expect(tokens?.provider).toBe("llama-cpp");
    expect(tokens?.ids).toHaveLength(CALL.length);
    expect(tokens?.text).toBe(CALL.join(""));
  });

  it("sends them back in a mixed prompt, so each turn evaluates only its new tokens", async () => {
    const { finishes, emulator } = await converse(4, true);
    const body = server.requestsFor("POST /completion").at(-1)?.json as { prompt: unknown };
    expect(Array.isArray(body.prompt)).toBe(true);
    for (let i = 1; i < finishes.length; i++) {
      const before = emulator.prompts[i - 1] ?? [];
      const now = emulator.prompts[i] ?? [];
      const reply = finishes[i - 1]?.tokens?.ids ?? [];
      // The prompt starts with the previous prompt and reply, token for token.
      expect(now.slice(0, before.length + reply.length)).toEqual([...before, ...reply]);
      // New: what follows the reply, plus the reply's last token, which was never decoded.
      const fresh = now.length - (before.length + reply.length) + 1;
      expect(finishes[i]?.usage?.evaluatedInputTokens).toBe(fresh);
      expect(finishes[i]?.usage?.cachedInputTokens).toBe(now.length - fresh);
    }
  });

  it("reports no ids when the server streamed fewer than it generated", async () => {
    // Seen on a real server: a token ending inside a UTF-8 character is sent with the next
    // one, under one id; replaying the rest would drop a token from the history.
    server.route("POST /completion", (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(`data: ${JSON.stringify({ content: "é", tokens: [301], stop: false })}\n\n`);
      res.write(
        `data: ${JSON.stringify({ content: "", tokens: [], stop: true, stop_type: "limit", stopping_word: "", tokens_predicted: 2, tokens_evaluated: 5, timings: { prompt_n: 5 } })}\n\n`,
      );
      res.end();
    });
    const llama = createLlamaCpp({ baseUrl: server.url });
    try {
      const { finish, text } = await collect(
        llama.streamChat({ messages: [{ role: "user", content: "hi" }] }),
      );
      expect(text).toBe("é");
      expect(finish?.tokens).toBeUndefined();
    } finally {
      await llama.dispose();
    }
  });

  it("re-tokenizing the reply's text instead re-evaluates the whole reply each turn", async () => {
    const { finishes, emulator } = await converse(3, false);
    const before = emulator.prompts[0]?.length ?? 0;
    const now = emulator.prompts[1]?.length ?? 0;
    const fresh = now - (before + CALL.length) + 1;
    expect(finishes[1]?.usage?.evaluatedInputTokens).toBeGreaterThan(fresh);
  });
});
