import type { HttpProviderOptions } from "../http/options.js";
import { createLlamaCpp } from "../llama-cpp/llama-cpp-provider.js";
import { createOllama } from "../ollama/ollama-provider.js";
import { createOpenAICompatible } from "../openai-compatible/openai-compatible-provider.js";
import { createOpenRouter } from "../openrouter/openrouter-provider.js";
import { localLlamaFixtures } from "./http-fixture.js";
import { replay } from "./llama-server-emulator.js";
import type { Handler, LoopbackServer } from "./loopback-server.js";
import type { DisposableProvider } from "./wire-targets.js";

/** One native call a scripted reply makes. */
export interface ScriptedNativeCall {
  /** The call id (OpenAI-style servers only; Ollama sends none). */
  id?: string;
  /** The tool name. */
  name: string;
  /** The arguments as JSON text (OpenAI-style servers send it in fragments of it). */
  args: string;
}

/** A reply under the native protocol: some text, then the calls. */
export interface NativeReply {
  /** The text pieces streamed before the calls. */
  content?: readonly string[];
  /** The calls. */
  calls?: readonly ScriptedNativeCall[];
  /** Characters of argument text per streamed fragment. Default 3. */
  fragment?: number;
}

/** A backend's native tool-call wire format, written as the server streams it. */
export interface NativeWireTarget {
  /** A short name for test titles. */
  name: string;
  /** The route the provider uses for a request with tools. */
  route: string;
  /** `Content-Type` of the streaming answer. */
  contentType: string;
  /** Whether the wire carries arguments as an object (Ollama) rather than JSON text. */
  argsAsObject: boolean;
  /** The frames of one reply. */
  frames(reply: NativeReply): string[];
  /** Creates the provider against a loopback server. */
  create(baseUrl: string, options: HttpProviderOptions): DisposableProvider;
  /** Routes the provider needs besides the streaming one. */
  setup?(server: LoopbackServer): void;
}

function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [""];
}

/**
 * OpenAI-style chunks for a reply: text deltas, then each call as a first fragment
 * (index, id, type, name, empty arguments) and argument fragments, then the
 * `tool_calls` finish, a usage chunk and `[DONE]`.
 */
function openAIChunks(reply: NativeReply, base: Record<string, unknown>): unknown[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    ...base,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const chunks: unknown[] = [chunk({ role: "assistant", content: null })];
  for (const text of reply.content ?? []) chunks.push(chunk({ content: text }));
  (reply.calls ?? []).forEach((call, index) => {
    chunks.push(
      chunk({
        tool_calls: [
          {
            index,
            id: call.id ?? `call_${index}`,
            type: "function",
            function: { name: call.name, arguments: "" },
          },
        ],
      }),
    );
    for (const fragment of pieces(call.args, reply.fragment ?? 3)) {
      chunks.push(chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }));
    }
  });
  chunks.push(chunk({}, (reply.calls ?? []).length > 0 ? "tool_calls" : "stop"));
  chunks.push({
    ...base,
    choices: [],
    usage: { completion_tokens: 20, prompt_tokens: 50, total_tokens: 70 },
  });
  return chunks;
}

const sse = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;

/** Ollama `/api/chat`: each call whole in one line, arguments as an object, no ids. */
const ollamaNative: NativeWireTarget = {
  name: "ollama",
  route: "POST /api/chat",
  contentType: "application/x-ndjson",
  argsAsObject: true,
  frames(reply) {
    const model = "gemma4:e4b";
    const created_at = "2025-02-20T10:00:00.000000Z";
    const line = (message: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      `${JSON.stringify({ model, created_at, message: { role: "assistant", ...message }, done: false, ...extra })}\n`;
    const frames = (reply.content ?? []).map((text) => line({ content: text }));
    if ((reply.calls ?? []).length > 0) {
      frames.push(
        line({
          content: "",
          tool_calls: (reply.calls ?? []).map((call) => ({
            function: { name: call.name, arguments: JSON.parse(call.args) },
          })),
        }),
      );
    }
    frames.push(
      line(
        { content: "" },
        { done: true, done_reason: "stop", prompt_eval_count: 50, eval_count: 20 },
      ),
    );
    return frames;
  },
  create: (baseUrl, options) => createOllama({ baseUrl, ...options }),
};

/** OpenRouter's chat-completions SSE: the OpenAI fragments, after a keep-alive comment. */
const openRouterNative: NativeWireTarget = {
  name: "openrouter",
  route: "POST /chat/completions",
  contentType: "text/event-stream",
  argsAsObject: false,
  frames(reply) {
    const base = {
      id: "gen-1740000000-abcdef",
      provider: "Google AI Studio",
      model: "google/gemma-4-26b-a4b-it:free",
      object: "chat.completion.chunk",
      created: 1740000000,
    };
    return [
      ": OPENROUTER PROCESSING\n\n",
      ...openAIChunks(reply, base).map(sse),
      "data: [DONE]\n\n",
    ];
  },
  create: (baseUrl, options) =>
    createOpenRouter({ baseUrl, apiKey: "sk-or-test", fallbackModels: [], ...options }),
};

/**
 * llama-server's `/v1/chat/completions` with `--jinja` (builds that stream tool calls):
 * the OpenAI fragments with its placeholder model name, then `[DONE]`.
 */
const llamaChatNative: NativeWireTarget = {
  name: "llama-cpp",
  route: "POST /v1/chat/completions",
  contentType: "text/event-stream",
  argsAsObject: false,
  frames(reply) {
    const base = {
      created: 1795316867,
      id: "chatcmpl-gb6ZO9iuy0kvJjVYceHTdpy50inyw4ie",
      model: "gpt-3.5-turbo",
      system_fingerprint: "b0-unknown",
      object: "chat.completion.chunk",
    };
    return [...openAIChunks(reply, base).map(sse), "data: [DONE]\n\n"];
  },
  create: (baseUrl, options) => createLlamaCpp({ baseUrl, ...options }),
  setup: (server) => server.route("GET /props", replay(localLlamaFixtures, "props")),
};

/** A plain OpenAI-compatible server (vLLM, LM Studio): the OpenAI fragments, then `[DONE]`. */
const openAICompatibleNative: NativeWireTarget = {
  name: "openai-compatible",
  route: "POST /v1/chat/completions",
  contentType: "text/event-stream",
  argsAsObject: false,
  frames(reply) {
    const base = {
      id: "chatcmpl-1",
      object: "chat.completion.chunk",
      created: 1740000000,
      model: "gemma",
    };
    return [...openAIChunks(reply, base).map(sse), "data: [DONE]\n\n"];
  },
  create: (baseUrl, options) =>
    createOpenAICompatible({ baseUrl: `${baseUrl}/v1`, model: "gemma", ...options }),
};

/** The native tool-call wire formats: Ollama, OpenRouter, llama-server, OpenAI-compatible. */
export const NATIVE_WIRE_TARGETS: readonly NativeWireTarget[] = [
  ollamaNative,
  openRouterNative,
  llamaChatNative,
  openAICompatibleNative,
];

/**
 * A handler that streams one scripted native reply, a frame per event-loop turn (so
 * the client reads it in many chunks).
 *
 * @param target - The wire format.
 * @param reply - The reply.
 * @returns The handler.
 */
export function nativeReply(target: NativeWireTarget, reply: NativeReply): Handler {
  return async (_req, res) => {
    res.writeHead(200, { "content-type": target.contentType, "transfer-encoding": "chunked" });
    for (const frame of target.frames(reply)) {
      if (res.destroyed) return;
      res.write(frame);
      await new Promise((resolve) => setImmediate(resolve));
    }
    res.end();
  };
}
