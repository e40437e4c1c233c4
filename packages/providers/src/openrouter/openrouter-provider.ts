import {
  type ChatRequest,
  GemmaCoderError,
  type ModelProvider,
  type ProviderCapabilities,
  type StreamPart,
} from "@gemma-coder/core";
import { abortError } from "@gemma-coder/core/internal";
import { createHttpClient } from "../http/create-client.js";
import { isRecord } from "../http/errors.js";
import { healthFromError } from "../http/health.js";
import type { HttpProviderOptions } from "../http/options.js";
import { defaultRetryDecision, streamWithRetries } from "../http/retry.js";
import { ChatCompletionsDecoder, chatCompletionsBody } from "../openai/chat-completions.js";
import { listOpenAIModels } from "../openai/models.js";
import { type Environment, processEnv } from "../shared/env.js";
import type { HealthStatus, ModelInfo } from "../shared/model-info.js";
import { resolveStops } from "../shared/stop.js";
import { assertConstraintSupported } from "../shared/unsupported.js";
import { streamAttempt } from "../stream/attempt.js";

/** The default OpenRouter model: Gemma 4 26B A4B, free tier. */
export const OPENROUTER_DEFAULT_MODEL = "google/gemma-4-26b-a4b-it:free";
/** The model tried when the default one is rate limited or down. */
export const OPENROUTER_FALLBACK_MODEL = "google/gemma-4-31b-it:free";
/** The OpenRouter API root. */
export const OPENROUTER_BASE_URL = "https://openrouter.ai/api/v1";

/** Options of {@link createOpenRouter}. */
export interface OpenRouterOptions extends HttpProviderOptions {
  /** The API key. Default: the `OPENROUTER_API_KEY` environment variable. */
  apiKey?: string;
  /** The model. Default {@link OPENROUTER_DEFAULT_MODEL}. */
  model?: string;
  /**
   * Models to fall back to, in order. Default: {@link OPENROUTER_FALLBACK_MODEL} when
   * `model` is left at its default, else none.
   */
  fallbackModels?: readonly string[];
  /** Sends `models: [model, ...fallbackModels]` so OpenRouter falls back server-side. Default `true`. */
  serverFallback?: boolean;
  /** On a 429 for the current model, retries at once with the next fallback model. Default `true`. */
  clientFallback?: boolean;
  /** Attribution: the app name sent as `X-Title`. Default `"gemma-coder"`. */
  appName?: string;
  /** Attribution: the app URL sent as `HTTP-Referer`, when set. */
  appUrl?: string;
  /** Extra body fields (e.g. `{ provider: { sort: "throughput" } }`). */
  extraBody?: Readonly<Record<string, unknown>>;
  /** Where `OPENROUTER_API_KEY` is read from. Default: `process.env`. */
  env?: Environment;
}

/** The OpenRouter provider. */
export interface OpenRouterProvider extends ModelProvider {
  /** The primary model. */
  readonly model: string;
  /** The fallback chain after the primary model. */
  readonly fallbackModels: readonly string[];
  /** What OpenRouter does: JSON schemas through `response_format` and native `tools` (model permitting). */
  readonly capabilities: ProviderCapabilities;
  /** The primary model's context length, from `GET /models`. */
  contextWindow(options?: { signal?: AbortSignal }): Promise<number | undefined>;
  /** Lists OpenRouter's models (`GET /models`, no key needed). */
  listModels(options?: { signal?: AbortSignal }): Promise<ModelInfo[]>;
  /** Checks the API key against `GET /key`. Never throws (but for an abort). */
  health(options?: { signal?: AbortSignal }): Promise<HealthStatus>;
  /** Closes the connection pool. */
  dispose(): Promise<void>;
}

const ID = "openrouter";

// long-function: a factory: the provider's methods share its closure (options, HTTP client)
/**
 * Creates the OpenRouter provider: streaming `POST /chat/completions` with SSE comment
 * lines skipped, usage from the last chunk, mid-stream `error` chunks as typed errors,
 * and model fallback both server-side (`models`) and client-side (on 429), reported as
 * a `model-fallback` notice and in `finish.model`.
 *
 * @param options - Key, model and HTTP options.
 * @returns The provider.
 */
export function createOpenRouter(options: OpenRouterOptions = {}): OpenRouterProvider {
  const env = options.env ?? processEnv();
  const model = options.model ?? OPENROUTER_DEFAULT_MODEL;
  const fallbackModels =
    options.fallbackModels ?? (options.model === undefined ? [OPENROUTER_FALLBACK_MODEL] : []);
  const chain = [model, ...fallbackModels.filter((entry) => entry !== model)];
  const capabilities: ProviderCapabilities = { jsonSchema: true, nativeTools: true };
  const apiKey = () => options.apiKey ?? env.OPENROUTER_API_KEY;
  const client = createHttpClient(options, {
    id: ID,
    baseUrl: options.baseUrl ?? OPENROUTER_BASE_URL,
    headers: () => {
      const headers: Record<string, string> = { "x-title": options.appName ?? "gemma-coder" };
      if (options.appUrl) headers["http-referer"] = options.appUrl;
      const key = apiKey();
      if (key) headers.authorization = `Bearer ${key}`;
      return headers;
    },
    describeError: (info) => {
      if (info.status === 401) {
        return { hint: "Check the key in OPENROUTER_API_KEY (or the apiKey option)." };
      }
      if (info.status === 402) {
        return {
          code: "provider-http",
          isRetryable: false,
          hint: "The account has no credits left for this model.",
        };
      }
      if (info.status === 404 && /endpoint|model/i.test(info.serverMessage)) {
        return {
          code: "model-not-found",
          isRetryable: false,
          hint: "Check the model id on https://openrouter.ai/models.",
        };
      }
      return undefined;
    },
  });
  let cachedWindow: Promise<number | undefined> | undefined;
  const listModels = (call: { signal?: AbortSignal } = {}) =>
    listOpenAIModels(client, "/models", call.signal);

  return {
    id: ID,
    model,
    fallbackModels: chain.slice(1),
    capabilities,
    streamChat(request: ChatRequest): AsyncIterable<StreamPart> {
      return (async function* () {
        if (request.signal?.aborted) throw abortError(request.signal);
        if (!apiKey()) {
          throw new GemmaCoderError(
            "openrouter: no API key. Set OPENROUTER_API_KEY or pass the apiKey option.",
            { code: "config", provider: ID },
          );
        }
        assertConstraintSupported(ID, request, capabilities);
        const stop = resolveStops(request);
        let current = 0;
        yield* streamWithRetries(
          (_attempt, signal) => {
            const models = chain.slice(current);
            const body = chatCompletionsBody(request, {
              model: models[0],
              models: options.serverFallback === false ? undefined : models,
              stop,
              usage: "openrouter",
              extraBody: options.extraBody,
            });
            return streamAttempt(
              client,
              { method: "POST", path: "/chat/completions", body, signal },
              "sse",
              new ChatCompletionsDecoder({
                provider: ID,
                stop,
                requestedModel: model,
                reportModel: true,
                fallbackNotice: true,
              }),
            );
          },
          {
            ...client.retryOptions(request.signal),
            decide: (error, state) => {
              if (
                error.code === "rate-limited" &&
                options.clientFallback !== false &&
                current < chain.length - 1
              ) {
                const from = chain[current];
                current++;
                const to = chain[current];
                return {
                  retry: true,
                  delayMs: 0,
                  countsAsRetry: false,
                  message: `openrouter: ${from} is rate limited; trying ${to}.`,
                  data: { model: to, from },
                };
              }
              return defaultRetryDecision(error, state.retriesUsed, {
                policy: client.config.retry,
                random: client.config.random,
              });
            },
          },
        );
      })();
    },
    contextWindow(call = {}) {
      cachedWindow ??= listModels(call).then(
        (models) => models.find((entry) => entry.id === model)?.contextLength,
        (error: unknown) => {
          cachedWindow = undefined;
          throw error;
        },
      );
      return cachedWindow;
    },
    listModels,
    async health(call = {}) {
      if (!apiKey()) {
        return {
          ok: false,
          status: "error",
          message: "openrouter: no API key. Set OPENROUTER_API_KEY or pass the apiKey option.",
        };
      }
      try {
        const body = await client.json(
          { method: "GET", path: "/key", signal: call.signal },
          { retry: false },
        );
        const data = isRecord(body) && isRecord(body.data) ? body.data : {};
        const label = typeof data.label === "string" ? ` (${data.label})` : "";
        return { ok: true, status: "ok", message: `openrouter: the API key is valid${label}.` };
      } catch (error) {
        return healthFromError(error);
      }
    },
    dispose: () => client.dispose(),
  };
}
