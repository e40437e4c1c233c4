/**
 * A loopback server that speaks the Ollama, OpenAI-compatible (OpenRouter) and
 * llama.cpp `/completion` wire formats and answers with scripted replies, so the
 * examples run against real HTTP providers with no model installed.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A running fake server. */
export interface FakeModelServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Request paths received, in order. */
  paths: string[];
  /** Stops the server. */
  close(): Promise<void>;
}

const GEMMA_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}<start_of_turn>{{ message.role }}\n{{ message.content }}<end_of_turn>\n{% endfor %}<start_of_turn>model\n";

function chunks(text: string): string[] {
  return text.match(/[\s\S]{1,8}/g) ?? [];
}

/**
 * Starts a fake model server that replies with `replies` in order, whatever the format.
 *
 * @param replies - The replies, one per chat request.
 * @returns The running server.
 */
export async function startFakeModelServer(replies: readonly string[]): Promise<FakeModelServer> {
  let turn = 0;
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    paths.push(`${req.method} ${req.url}`);
    req.resume();
    req.on("end", () => {
      const url = req.url ?? "";
      if (url === "/props") {
        res.setHeader("content-type", "application/json");
        res.end(
          JSON.stringify({
            default_generation_settings: { n_ctx: 8192 },
            chat_template: GEMMA_TEMPLATE,
          }),
        );
        return;
      }
      if (url === "/health") {
        res.end('{"status":"ok"}');
        return;
      }
      if (url === "/api/show") {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ model_info: { "gemma3.context_length": 8192 } }));
        return;
      }
      const isChat =
        url === "/api/chat" || url === "/completion" || url.endsWith("/chat/completions");
      const reply = isChat ? (replies[turn++] ?? "") : "";
      if (url === "/api/chat") {
        res.setHeader("content-type", "application/x-ndjson");
        for (const piece of chunks(reply)) {
          res.write(
            `${JSON.stringify({ message: { role: "assistant", content: piece }, done: false })}\n`,
          );
        }
        res.end(
          `${JSON.stringify({ message: { role: "assistant", content: "" }, done: true, done_reason: "stop", prompt_eval_count: 100, eval_count: 20 })}\n`,
        );
        return;
      }
      if (url.endsWith("/chat/completions")) {
        res.setHeader("content-type", "text/event-stream");
        res.write(": OPENROUTER PROCESSING\n\n");
        for (const piece of chunks(reply)) {
          res.write(
            `data: ${JSON.stringify({ model: "fake", choices: [{ index: 0, delta: { content: piece } }] })}\n\n`,
          );
        }
        res.write(
          `data: ${JSON.stringify({ model: "fake", choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage: { prompt_tokens: 100, completion_tokens: 20 } })}\n\n`,
        );
        res.end("data: [DONE]\n\n");
        return;
      }
      if (url === "/completion") {
        res.setHeader("content-type", "text/event-stream");
        for (const piece of chunks(reply))
          res.write(`data: ${JSON.stringify({ content: piece, stop: false })}\n\n`);
        res.end(
          `data: ${JSON.stringify({ content: "", stop: true, stop_type: "eos", tokens_evaluated: 100, tokens_predicted: 20, tokens_cached: 0, timings: { prompt_n: 100, predicted_n: 20 } })}\n\n`,
        );
        return;
      }
      res.statusCode = 404;
      res.end('{"error":"not found"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
