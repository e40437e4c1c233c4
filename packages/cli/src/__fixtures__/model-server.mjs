// A scripted model server on loopback that speaks Ollama's API (/api/tags, /api/version,
// /api/show, and /api/chat as NDJSON) and llama-server's /health. Tests and the start-up
// benchmark run the real CLI against it. Plain JS so the benchmark can use it unbuilt.
import { createServer } from "node:http";

/**
 * @param {import("./model-server.d.mts").ModelServerOptions} [options]
 * @returns {Promise<import("./model-server.d.mts").ModelServer>}
 */
export async function startModelServer(options = {}) {
  const replies = [...(options.replies ?? [])];
  const models = options.models ?? ["gemma4:e4b"];
  const requests = [];
  const state = { chats: 0, abortedChats: 0, openChats: 0, firstRequestAt: undefined, firstChatAt: undefined };
  const sockets = new Set();

  const server = createServer((req, res) => {
    const at = Date.now();
    state.firstRequestAt ??= at;
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", () => {
      let body;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const url = new URL(req.url ?? "/", "http://x");
      requests.push({ method: req.method ?? "GET", path: url.pathname, body, at, headers: req.headers });
      route(url.pathname, body, req, res, at);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  const json = (res, status, value) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(value));
  };

  function route(path, body, req, res, at) {
    if (options.kind === "llama-cpp") {
      if (path === "/health") return json(res, 200, { status: "ok" });
      return json(res, 404, { error: { code: 404, message: "File Not Found" } });
    }
    if (path === "/api/tags") {
      return json(res, 200, { models: models.map((name) => ({ name, model: name, size: 1 })) });
    }
    if (path === "/api/version") return json(res, 200, { version: "0.0.0-scripted" });
    if (path === "/api/show") {
      const name = body?.model;
      if (!models.includes(name)) return json(res, 404, { error: `model '${name}' not found` });
      return json(res, 200, {
        model_info: { "general.architecture": "gemma3", "gemma3.context_length": 32768 },
      });
    }
    if (path === "/api/chat") return chat(body, req, res, at);
    return json(res, 404, { error: "not found" });
  }

  function chat(body, req, res, at) {
    state.chats++;
    state.firstChatAt ??= at;
    const next = replies.shift();
    if (next === undefined) {
      return json(res, 500, { error: "the scripted server has no more replies" });
    }
    const reply = typeof next === "string" ? { text: next } : next;
    if (reply.status) return json(res, reply.status, { error: reply.error ?? "scripted error" });
    let text = reply.text ?? "";
    for (const stop of body?.options?.stop ?? []) {
      const cut = text.indexOf(stop);
      if (cut !== -1) text = text.slice(0, cut);
    }
    const model = body?.model ?? "scripted";
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    state.openChats++;
    let finished = false;
    res.on("close", () => {
      state.openChats--;
      if (!finished) state.abortedChats++;
    });
    const size = reply.chunkSize ?? 16;
    const chunks = [];
    for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
    const line = (value) => res.write(`${JSON.stringify(value)}\n`);
    let index = 0;
    const step = () => {
      if (res.destroyed) return;
      // A connection that drops mid-reply: the socket is reset after some of the text.
      if (reply.breakAfter !== undefined && index >= reply.breakAfter) {
        res.socket?.destroy();
        return;
      }
      if (index < chunks.length) {
        line({ model, message: { role: "assistant", content: chunks[index++] }, done: false });
        setTimeout(step, reply.delayMs ?? 0);
        return;
      }
      // A reply that hangs after its text: the model "thinks" until the client gives up.
      if (reply.hang) return;
      if (reply.toolCalls) {
        const tool_calls = reply.toolCalls.map((c) => ({ function: c }));
        line({ model, message: { role: "assistant", content: "", tool_calls }, done: false });
      }
      finished = true;
      line({
        model,
        message: { role: "assistant", content: "" },
        done: true,
        done_reason: "stop",
        prompt_eval_count: Math.ceil(JSON.stringify(body?.messages ?? []).length / 4),
        eval_count: Math.max(1, Math.ceil(text.length / 4)),
      });
      res.end();
    };
    setTimeout(step, reply.firstDelayMs ?? 0);
  }

  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get chats() {
      return state.chats;
    },
    get abortedChats() {
      return state.abortedChats;
    },
    get openChats() {
      return state.openChats;
    },
    get firstRequestAt() {
      return state.firstRequestAt;
    },
    get firstChatAt() {
      return state.firstChatAt;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Builds the text of a well-formed call.
 *
 * @param {string} name
 * @param {Record<string, unknown>} [args]
 */
export function call(name, args = {}) {
  return `<tool>\n${JSON.stringify({ name, args })}\n</tool>`;
}

/**
 * A loopback port with nothing listening on it (as far as can be known).
 *
 * @returns {Promise<number>}
 */
export async function deadPort() {
  const { createServer: createNetServer } = await import("node:net");
  const server = createNetServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address ? address.port : 9;
}
