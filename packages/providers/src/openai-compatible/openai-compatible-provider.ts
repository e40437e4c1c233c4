import {
  type ChatRequest,
  GemmaCoderError,
  type ModelProvider,
  type ProviderCapabilities,
  type StreamPart,
} from "@gemma-coder/core";
import { abortError } from "@gemma-coder/core/internal";
import { createHttpClient } from "../http/create-client.js";
import { healthFromError } from "../http/health.js";
import type { HttpProviderOptions } from "../http/options.js";
import { streamWithRetries } from "../http/retry.js";
import { ChatCompletionsDecoder, chatCompletionsBody } from "../openai/chat-completions.js";
import { listOpenAIModels } from "../openai/models.js";
import type { HealthStatus, ModelInfo } from "../shared/model-info.js";
import { resolveStops } from "../shared/stop.js";
import { assertConstraintSupported } from "../shared/unsupported.js";
import { streamAttempt } from "../stream/attempt.js";

/** Options of {@link createOpenAICompatible}. */
export interface OpenAICompatibleOptions extends HttpProviderOptions {
  /** The API root, including its version segment, e.g. `http://127.0.0.1:1234/v1` (LM Studio). Required. */
  baseUrl: string;
  /** The model id to request. Some servers (llama.cpp, LM Studio with one model) accept none. */
  model?: string;
  /** Sent as `Authorization: Bearer <apiKey>` when set. */
  apiKey?: string;
  /** The provider id in errors and notices. Default `"openai-compatible"`. */
  id?: string;
  /** The context window, when known; otherwise read from `GET /models` if the server reports it. */
  contextWindow?: number;
  /**
   * What the server does. Default: JSON schemas (`response_format`), native tools
   * (`tools`), and grammars when `grammarField` is set.
   */
  capabilities?: ProviderCapabilities;
  /** The body field that carries a GBNF grammar (`"grammar"` for llama.cpp); grammars are refused without one. */
  grammarField?: string;
  /** Asks for usage in the stream with `stream_options.include_usage`. Default `true`. */
  includeUsage?: boolean;
  /** Extra fields merged into every request body (e.g. `{ top_k: 40 }`). */
  extraBody?: Readonly<Record<string, unknown>>;
}

/** A provider for any server that speaks OpenAI's `/chat/completions` streaming format. */
export interface OpenAICompatibleProvider extends ModelProvider {
  /** The model id, when set. */
  readonly model?: string;
  /** What the server enforces. */
  readonly capabilities: ProviderCapabilities;
  /**
   * The context window: the `contextWindow` option, else what `GET /models` reports
   * for the model, else `undefined`.
   */
  contextWindow(options?: { signal?: AbortSignal }): Promise<number | undefined>;
  /** Lists the server's models (`GET /models`). */
  listModels(options?: { signal?: AbortSignal }): Promise<ModelInfo[]>;
  /** Checks that the server answers `GET /models`. Never throws (but for an abort). */
  health(options?: { signal?: AbortSignal }): Promise<HealthStatus>;
  /** Closes the connection pool. */
  dispose(): Promise<void>;
}

// long-function: a factory: the provider's methods share its closure (options, HTTP client)
/**
 * Creates a provider for an OpenAI-compatible server (LM Studio, vLLM, llama.cpp's
 * `/v1`, LocalAI, ...). It streams `POST {baseUrl}/chat/completions` with the shared
 * SSE decoding, retries and timeouts.
 *
 * @param options - Base URL, model and HTTP options.
 * @returns The provider.
 */
export function createOpenAICompatible(options: OpenAICompatibleOptions): OpenAICompatibleProvider {
  if (!options.baseUrl) {
    throw new GemmaCoderError("openai-compatible: baseUrl is required.", { code: "config" });
  }
  const id = options.id ?? "openai-compatible";
  const capabilities: ProviderCapabilities = options.capabilities ?? {
    jsonSchema: true,
    grammar: options.grammarField !== undefined,
    nativeTools: true,
  };
  const client = createHttpClient(options, {
    id,
    baseUrl: options.baseUrl,
    headers: () => (options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
  });
  let cachedWindow: Promise<number | undefined> | undefined;

  const listModels = (call: { signal?: AbortSignal } = {}) =>
    listOpenAIModels(client, "/models", call.signal);

  return {
    id,
    ...(options.model !== undefined ? { model: options.model } : {}),
    capabilities,
    streamChat(request: ChatRequest): AsyncIterable<StreamPart> {
      return (async function* () {
        if (request.signal?.aborted) throw abortError(request.signal);
        assertConstraintSupported(id, request, capabilities);
        const stop = resolveStops(request);
        const bodyOptions: Parameters<typeof chatCompletionsBody>[1] = {
          model: options.model,
          stop,
          usage: options.includeUsage === false ? "none" : "stream-options",
          extraBody: options.extraBody,
        };
        if (options.grammarField) bodyOptions.grammarField = options.grammarField;
        const body = chatCompletionsBody(request, bodyOptions);
        yield* streamWithRetries(
          (_attempt, signal) =>
            streamAttempt(
              client,
              { method: "POST", path: "/chat/completions", body, signal },
              "sse",
              new ChatCompletionsDecoder({
                provider: id,
                stop,
                requestedModel: options.model,
                reportModel: true,
                fallbackNotice: false,
              }),
            ),
          client.retryOptions(request.signal),
        );
      })();
    },
    contextWindow(call = {}) {
      if (options.contextWindow !== undefined) return Promise.resolve(options.contextWindow);
      cachedWindow ??= listModels(call).then(
        (models) => {
          const match =
            models.find((model) => model.id === options.model) ??
            (models.length === 1 ? models[0] : undefined);
          return match?.contextLength;
        },
        (error: unknown) => {
          cachedWindow = undefined;
          throw error;
        },
      );
      return cachedWindow;
    },
    listModels,
    async health(call = {}) {
      try {
        const models = await listOpenAIModels(client, "/models", call.signal, false);
        return {
          ok: true,
          status: "ok",
          message: `${id}: the server lists ${models.length} model(s).`,
        };
      } catch (error) {
        return healthFromError(error);
      }
    },
    dispose: () => client.dispose(),
  };
}
