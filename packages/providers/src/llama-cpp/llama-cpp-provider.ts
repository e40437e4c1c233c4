import {
  type ChatMessage,
  type ChatRequest,
  GemmaCoderError,
  type ModelProvider,
  type NoticePart,
  type ProviderCapabilities,
  type StreamPart,
} from "@gemma-coder/core";
import { abortError } from "@gemma-coder/core/internal";
import { createHttpClient } from "../http/create-client.js";
import { isRecord } from "../http/errors.js";
import { healthFromError } from "../http/health.js";
import type { HttpProviderOptions } from "../http/options.js";
import { backoffDelay, streamWithRetries } from "../http/retry.js";
import { ChatCompletionsDecoder, chatCompletionsBody } from "../openai/chat-completions.js";
import { listOpenAIModels } from "../openai/models.js";
import type { HealthStatus, ModelInfo } from "../shared/model-info.js";
import { usesNativeTools } from "../shared/native-tools.js";
import { resolveStops } from "../shared/stop.js";
import { assertConstraintSupported } from "../shared/unsupported.js";
import { type PayloadDecoder, streamAttempt } from "../stream/attempt.js";
import { type ChatTemplateFamily, detectChatTemplate, renderChatPrompt } from "./chat-template.js";
import { CompletionDecoder, type TruncationPolicy } from "./completion-decoder.js";

/** llama-server's default address. */
export const LLAMA_CPP_DEFAULT_URL = "http://127.0.0.1:8080";

/** Options of {@link createLlamaCpp}. */
export interface LlamaCppOptions extends HttpProviderOptions {
  /** The server. Default `http://127.0.0.1:8080`. */
  baseUrl?: string;
  /** A model name for `finish.model` and the chat-mode body. Default: the file name from `/props`. */
  model?: string;
  /** Sent as `Authorization: Bearer <apiKey>` (llama-server `--api-key`). */
  apiKey?: string;
  /**
   * `completion`: `POST /completion` with a prompt rendered from the server's chat
   * template (fails with `unsupported` if the template is not recognised).
   * `chat`: `POST /v1/chat/completions`, the server applies its template.
   * `auto` (default): `completion` when the template is recognised, else `chat` with a
   * `chat-template-fallback` notice.
   * Requests with native `tools` (the agent's `native` protocol) always take
   * `/v1/chat/completions`: the server renders the tools with the model's template,
   * which needs llama-server started with `--jinja`.
   */
  mode?: "auto" | "completion" | "chat";
  /** Skips template detection and renders with this family. */
  chatTemplate?: ChatTemplateFamily;
  /** Sends `cache_prompt` so the server reuses the KV cache for the shared prefix. Default `true`. */
  cachePrompt?: boolean;
  /**
   * When the server says it silently truncated a prompt that did not fit (`truncated:
   * true`, older builds): `error` (default) throws `context-overflow` at the end of the
   * stream; `notice` yields a `context-overflow` notice before the finish part.
   */
  truncation?: TruncationPolicy;
  /**
   * How long to keep retrying while the server answers 503 "Loading model", in
   * milliseconds. These waits do not use up `retry.maxRetries`. Default 300 000.
   */
  loadTimeoutMs?: number;
  /** Extra fields merged into every generation request body (`top_k`, `id_slot`, ...). */
  extraBody?: Readonly<Record<string, unknown>>;
}

/** The parts of llama-server's `/props` answer the provider reads. */
export interface LlamaCppProps {
  /** The Jinja chat template. */
  chat_template?: string;
  /** The context size per slot (older builds). */
  n_ctx?: number;
  /** Default generation settings, whose `n_ctx` is the context size per slot. */
  default_generation_settings?: { n_ctx?: number; [key: string]: unknown };
  /** The GGUF file the server loaded. */
  model_path?: string;
  /** Everything else. */
  [key: string]: unknown;
}

/** The llama.cpp server provider. */
export interface LlamaCppProvider extends ModelProvider {
  /** The server's base URL. */
  readonly baseUrl: string;
  /** Grammars, JSON schemas, exact token counts and native tools (chat endpoint, `--jinja`). */
  readonly capabilities: ProviderCapabilities;
  /** The context size per slot, from `/props`. */
  contextWindow(options?: { signal?: AbortSignal }): Promise<number | undefined>;
  /** Counts tokens with the model's tokenizer (`POST /tokenize`). */
  countTokens(text: string, options?: { signal?: AbortSignal }): Promise<number>;
  /** The server's `/props`, fetched once. */
  props(options?: { signal?: AbortSignal }): Promise<LlamaCppProps>;
  /**
   * The prompt completion mode would send for a conversation, or `undefined` when the
   * provider uses chat mode.
   */
  renderPrompt(
    messages: readonly ChatMessage[],
    options?: { signal?: AbortSignal },
  ): Promise<string | undefined>;
  /** Lists the served model (`GET /v1/models`). */
  listModels(options?: { signal?: AbortSignal }): Promise<ModelInfo[]>;
  /** `GET /health`: `ok`, or `loading` while the server answers 503. Never throws (but for an abort). */
  health(options?: { signal?: AbortSignal }): Promise<HealthStatus>;
  /**
   * Waits until `GET /health` answers 200, polling with backoff while the server is
   * unreachable (still starting) or answers 503 (loading the model). Throws
   * `provider-timeout` after `timeoutMs` (default: the `loadTimeoutMs` option), or the
   * server's error when it answers anything else.
   */
  waitForReady(options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<void>;
  /** Closes the connection pool. */
  dispose(): Promise<void>;
}

type Setup =
  | { mode: "completion"; family: ChatTemplateFamily; contextSize?: number; model?: string }
  | { mode: "chat"; contextSize?: number; model?: string; notice?: NoticePart };

const ID = "llama-cpp";
/** What llama-server builds before mid-2025 answer to `tools` with `stream: true`. */
const TOOLS_STREAM_REFUSED = /Cannot use tools with stream/i;
const NEAR_LIMIT = 0.9;

// long-function: a factory: the provider's methods share its closure (options, HTTP client, props cache)
/**
 * Creates the llama.cpp server provider. By default it renders the prompt itself from
 * the chat template the server reports and streams `POST /completion` with
 * `cache_prompt`, so each turn only evaluates its new tokens; grammars and JSON
 * schemas pass through. Both context-overflow behaviours are reported: silent
 * truncation (older builds) and 400 `exceed_context_size_error` (newer builds).
 *
 * @param options - Server, mode and HTTP options.
 * @returns The provider.
 */
export function createLlamaCpp(options: LlamaCppOptions = {}): LlamaCppProvider {
  const baseUrl = (options.baseUrl ?? LLAMA_CPP_DEFAULT_URL).replace(/\/+$/, "");
  const mode = options.mode ?? "auto";
  const capabilities: ProviderCapabilities = {
    grammar: true,
    jsonSchema: true,
    exactTokenCount: true,
    nativeTools: true,
  };
  const loadTimeoutMs = options.loadTimeoutMs ?? 300_000;
  const client = createHttpClient(options, {
    id: ID,
    baseUrl,
    headers: () => (options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    connectionHint:
      "Is llama-server running? Start it with `llama-server -m <model.gguf> -c 8192 --jinja`.",
    describeError: (info) => {
      if (info.status === 503 && /loading/i.test(info.serverMessage)) {
        return { isRetryable: true, hint: "The server is still loading the model." };
      }
      if (TOOLS_STREAM_REFUSED.test(info.serverMessage)) {
        return { isRetryable: false, code: "unsupported" };
      }
      if (/tools param requires --jinja/i.test(info.serverMessage)) {
        return {
          code: "unsupported",
          isRetryable: false,
          hint: "Native tool calls need llama-server started with --jinja.",
        };
      }
      if (info.errorType === "exceed_context_size_error") {
        return {
          code: "context-overflow",
          isRetryable: false,
          hint: "Shorten the conversation or start llama-server with a larger --ctx-size.",
        };
      }
      return undefined;
    },
    decideRetry: (error, state) => {
      if (
        error.status === 503 &&
        /loading/i.test(error.message) &&
        state.waitedMs < loadTimeoutMs
      ) {
        const delayMs = Math.min(
          backoffDelay(client.config.retry, Math.min(state.attempt, 10), client.config.random),
          Math.max(0, loadTimeoutMs - state.waitedMs),
        );
        return {
          retry: true,
          delayMs,
          countsAsRetry: false,
          message: `${ID}: the server is still loading the model; retrying in ${(delayMs / 1000).toFixed(1)} s.`,
          data: { loading: true },
        };
      }
      return undefined;
    },
  });

  let propsPromise: Promise<LlamaCppProps> | undefined;
  let setupPromise: Promise<Setup> | undefined;
  let fallbackNoticeSent = false;

  const props = (call: { signal?: AbortSignal } = {}): Promise<LlamaCppProps> => {
    propsPromise ??= client
      .json<LlamaCppProps>({ method: "GET", path: "/props", signal: call.signal })
      .then(
        (value) => (isRecord(value) ? (value as LlamaCppProps) : {}),
        (error: unknown) => {
          propsPromise = undefined;
          throw error;
        },
      );
    return propsPromise;
  };

  const setup = (signal: AbortSignal | undefined): Promise<Setup> => {
    setupPromise ??= resolveSetup(signal).catch((error: unknown) => {
      setupPromise = undefined;
      throw error;
    });
    return setupPromise;
  };

  async function resolveSetup(signal: AbortSignal | undefined): Promise<Setup> {
    let serverProps: LlamaCppProps | undefined;
    try {
      serverProps = await props(signal ? { signal } : {});
    } catch (error) {
      // A server without /props (an old build, a proxy) can still serve chat mode or a
      // template given by the caller; any other failure is the caller's to see.
      if (!(GemmaCoderError.isInstance(error) && error.status === 404)) throw error;
    }
    const contextSize = contextSizeOf(serverProps);
    const model = options.model ?? modelNameOf(serverProps);
    const base = {
      ...(contextSize !== undefined ? { contextSize } : {}),
      ...(model !== undefined ? { model } : {}),
    };
    if (mode === "chat") return { mode: "chat", ...base };
    const family = options.chatTemplate ?? detectChatTemplate(serverProps?.chat_template);
    if (family) return { mode: "completion", family, ...base };
    const families = "Gemma, Gemma 4, ChatML or Llama 3";
    if (mode === "completion") {
      throw new GemmaCoderError(
        `${ID}: completion mode needs a chat template the provider can render (${families}), and the server's is not one of them. Use mode "chat", or pass chatTemplate.`,
        { code: "unsupported", provider: ID },
      );
    }
    return {
      mode: "chat",
      ...base,
      notice: {
        type: "notice",
        kind: "chat-template-fallback",
        message: `${ID}: the server's chat template is not one the provider renders (${families}); using /v1/chat/completions instead of /completion.`,
        data: { template: serverProps?.chat_template?.slice(0, 200) },
      },
    };
  }

  function completionStream(request: ChatRequest, config: Extract<Setup, { mode: "completion" }>) {
    const stop = resolveStops(request);
    const rendered = renderChatPrompt(config.family, request.messages, {
      replyTokens: (message) => replayableTokens(message, config.model),
    });
    const mixed = rendered.parts.some((part) => typeof part === "number");
    const body: Record<string, unknown> = {
      // Earlier replies go back as the token ids the server generated, so the prompt
      // starts with exactly the tokens the server's cache holds.
      prompt: mixed ? rendered.parts : rendered.prompt,
      stream: true,
      cache_prompt: options.cachePrompt ?? true,
      stop: [...stop, rendered.endOfTurn],
      return_tokens: true,
    };
    if (request.maxTokens !== undefined) body.n_predict = request.maxTokens;
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.constraint?.type === "grammar") body.grammar = request.constraint.grammar;
    if (request.constraint?.type === "json-schema") body.json_schema = request.constraint.schema;
    Object.assign(body, options.extraBody);
    return streamWithRetries(
      (_attempt, signal) =>
        streamAttempt(
          client,
          { method: "POST", path: "/completion", body, signal },
          "sse",
          new CompletionDecoder({
            provider: ID,
            stop,
            endOfTurn: rendered.endOfTurn,
            model: config.model,
            contextSize: config.contextSize,
            truncation: options.truncation ?? "error",
          }),
        ),
      client.retryOptions(request.signal),
    );
  }

  // Builds before mid-2025 refuse `tools` with `stream: true`; once one has, requests
  // with tools ask for the whole reply at once (the call still arrives whole).
  let toolsStreamRefused = false;

  async function* chatStream(
    request: ChatRequest,
    config: { contextSize?: number; model?: string },
  ): AsyncGenerator<StreamPart> {
    const stop = resolveStops(request);
    const body = chatCompletionsBody(request, {
      model: options.model,
      stop,
      usage: "stream-options",
      grammarField: "grammar",
      extraBody: { cache_prompt: options.cachePrompt ?? true, ...options.extraBody },
    });
    const send = (payload: Record<string, unknown>) =>
      streamWithRetries(
        (_attempt, signal) =>
          streamAttempt(
            client,
            { method: "POST", path: "/v1/chat/completions", body: payload, signal },
            "sse",
            new LlamaChatDecoder(stop, config),
          ),
        client.retryOptions(request.signal),
      );
    const withTools = body.tools !== undefined;
    if (!withTools || !toolsStreamRefused) {
      try {
        yield* send(body);
        return;
      } catch (error) {
        // Only a refusal before anything was streamed lands here with this message.
        if (
          !withTools ||
          !GemmaCoderError.isInstance(error) ||
          !TOOLS_STREAM_REFUSED.test(error.message)
        ) {
          throw error;
        }
        toolsStreamRefused = true;
        yield {
          type: "notice",
          kind: "tools-without-stream",
          message: `${ID}: this llama-server build cannot stream tool calls; each reply with tools now arrives whole.`,
        };
      }
    }
    const { stream_options: _usage, ...whole } = body;
    yield* send({ ...whole, stream: false });
  }

  return {
    id: ID,
    ...(options.model !== undefined ? { model: options.model } : {}),
    baseUrl,
    capabilities,
    streamChat(request: ChatRequest): AsyncIterable<StreamPart> {
      return (async function* () {
        if (request.signal?.aborted) throw abortError(request.signal);
        assertConstraintSupported(ID, request, capabilities);
        const config = await setup(request.signal);
        // Native calls need the server's chat template (`--jinja`): a raw prompt cannot
        // render the tools, so such requests take the chat endpoint whatever the mode.
        if (usesNativeTools(request.tools, request.messages)) {
          yield* chatStream(request, config);
          return;
        }
        if (config.mode === "completion") {
          yield* completionStream(request, config);
          return;
        }
        if (config.notice && !fallbackNoticeSent) {
          fallbackNoticeSent = true;
          yield config.notice;
        }
        yield* chatStream(request, config);
      })();
    },
    async contextWindow(call = {}) {
      return contextSizeOf(await props(call));
    },
    async countTokens(text, call = {}) {
      const body = await client.json({
        method: "POST",
        path: "/tokenize",
        body: { content: text, add_special: false },
        signal: call.signal,
      });
      if (!isRecord(body) || !Array.isArray(body.tokens)) {
        throw new GemmaCoderError(`${ID}: /tokenize answered without a tokens array.`, {
          code: "provider-http",
          provider: ID,
        });
      }
      return body.tokens.length;
    },
    props,
    async renderPrompt(messages, call = {}) {
      const config = await setup(call.signal);
      return config.mode === "completion"
        ? renderChatPrompt(config.family, messages).prompt
        : undefined;
    },
    listModels: (call = {}) => listOpenAIModels(client, "/v1/models", call.signal),
    async health(call = {}) {
      try {
        await client.json(
          { method: "GET", path: "/health", signal: call.signal },
          { retry: false },
        );
        return { ok: true, status: "ok", message: `${ID}: ready at ${baseUrl}.` };
      } catch (error) {
        return healthFromError(error);
      }
    },
    async waitForReady(call = {}) {
      const limit = call.timeoutMs ?? loadTimeoutMs;
      let waited = 0;
      for (let attempt = 0; ; attempt++) {
        let status: HealthStatus;
        try {
          await client.json(
            { method: "GET", path: "/health", signal: call.signal },
            { retry: false },
          );
          return;
        } catch (error) {
          status = healthFromError(error);
        }
        if (status.status === "error") throw status.error;
        if (waited >= limit) {
          throw new GemmaCoderError(
            `${ID}: the server at ${baseUrl} was not ready after ${limit} ms (${status.message})`,
            { code: "provider-timeout", isRetryable: true, provider: ID, cause: status.error },
          );
        }
        const delayMs = Math.min(
          backoffDelay(client.config.retry, Math.min(attempt, 10), client.config.random),
          limit - waited,
        );
        waited += delayMs;
        await client.config.sleep(delayMs, call.signal);
      }
    },
    dispose: () => client.dispose(),
  };
}

/**
 * Chat-mode decoding for llama-server: the shared chat-completions decoder, plus a
 * notice when the prompt filled the context (older builds truncate silently in chat
 * mode and say nothing), and the model name from `/props` rather than the
 * placeholder the server writes in `model`.
 */
class LlamaChatDecoder implements PayloadDecoder {
  private readonly inner: ChatCompletionsDecoder;

  constructor(
    stop: readonly string[],
    private readonly config: { contextSize?: number; model?: string },
  ) {
    this.inner = new ChatCompletionsDecoder({
      provider: ID,
      stop,
      reportModel: false,
      fallbackNotice: false,
    });
  }

  get complete(): boolean {
    return this.inner.complete;
  }

  push(data: string, event?: string): StreamPart[] {
    return this.inner.push(data, event);
  }

  end(): StreamPart[] {
    const calls = this.inner.toolCallParts();
    const finish = this.inner.finishPart();
    if (this.config.model !== undefined) finish.model = this.config.model;
    const parts: StreamPart[] = [];
    const promptTokens = this.inner.final.usage?.prompt_tokens;
    const size = this.config.contextSize;
    if (
      typeof promptTokens === "number" &&
      size !== undefined &&
      promptTokens >= size * NEAR_LIMIT
    ) {
      parts.push({
        type: "notice",
        kind: "context-overflow",
        message: `${ID}: the prompt used ${promptTokens} of ${size} context tokens; llama-server builds that do not reject oversized prompts truncate them silently in chat mode, so the reply may answer a cut conversation. Shorten the conversation or raise --ctx-size.`,
        data: { certain: false, promptTokens, contextSize: size },
      });
    }
    parts.push(...calls, finish);
    return parts;
  }
}

/** The most token ids one reply may send back: more is not a reply this provider made. */
const MAX_REPLY_TOKENS = 1_000_000;

/**
 * An assistant message's token ids when they can be sent back: this provider made them
 * for this model, they still spell the message (the agent did not cut or change it),
 * and they are plausible token ids.
 */
function replayableTokens(message: ChatMessage, model: string | undefined): number[] | undefined {
  const own = message.tokens;
  if (!own || own.provider !== ID || own.model !== model || own.text !== message.content) {
    return undefined;
  }
  const ids = own.ids;
  if (ids.length === 0 || ids.length > MAX_REPLY_TOKENS) return undefined;
  if (!ids.every((id) => Number.isSafeInteger(id) && id >= 0)) return undefined;
  return [...ids];
}

function contextSizeOf(props: LlamaCppProps | undefined): number | undefined {
  const value = props?.default_generation_settings?.n_ctx ?? props?.n_ctx;
  return typeof value === "number" && value > 0 ? value : undefined;
}

function modelNameOf(props: LlamaCppProps | undefined): string | undefined {
  const path = props?.model_path;
  if (typeof path !== "string" || path.length === 0) return undefined;
  return path.split(/[\\/]/).pop();
}
