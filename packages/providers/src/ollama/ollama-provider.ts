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
import { streamWithRetries } from "../http/retry.js";
import { type Environment, processEnv } from "../shared/env.js";
import type { HealthStatus, ModelInfo } from "../shared/model-info.js";
import { functionTools, ollamaMessages } from "../shared/native-tools.js";
import { resolveStops } from "../shared/stop.js";
import { assertConstraintSupported } from "../shared/unsupported.js";
import { streamAttempt } from "../stream/attempt.js";
import { OllamaChatDecoder } from "./ollama-decoder.js";
import { ollamaErrorDetails } from "./ollama-errors.js";
import { resolveOllamaHost } from "./ollama-host.js";

/** The default Ollama model: Gemma 4 E4B. */
export const OLLAMA_DEFAULT_MODEL = "gemma4:e4b";
/** The default context window sent as `options.num_ctx`. */
export const OLLAMA_DEFAULT_NUM_CTX = 16_384;

/** Options of {@link createOllama}. */
export interface OllamaOptions extends HttpProviderOptions {
  /** The server. Default: `OLLAMA_HOST` (as the Ollama CLI reads it), else `http://127.0.0.1:11434`. */
  baseUrl?: string;
  /** The model tag. Default {@link OLLAMA_DEFAULT_MODEL}. */
  model?: string;
  /**
   * The context window, always sent as `options.num_ctx`: Ollama's own default is small
   * and it silently drops the oldest messages past it. Default {@link OLLAMA_DEFAULT_NUM_CTX}.
   * Lowered to the model's trained length once {@link OllamaProvider.contextWindow} has read it.
   */
  numCtx?: number;
  /** How long Ollama keeps the model loaded after a request (`"10m"`, seconds, `-1` forever). */
  keepAlive?: string | number;
  /** Extra model options (`top_k`, `seed`, ...). `num_ctx` is always `numCtx`. */
  options?: Readonly<Record<string, unknown>>;
  /** Sent as `think` for models with a thinking mode; thinking text is not streamed as text. */
  think?: boolean;
  /** Where `OLLAMA_HOST` is read from. Default: `process.env`. */
  env?: Environment;
}

/** The Ollama provider. */
export interface OllamaProvider extends ModelProvider {
  /** The model tag. */
  readonly model: string;
  /** The `num_ctx` sent with every request. */
  readonly numCtx: number;
  /** The server's base URL. */
  readonly baseUrl: string;
  /** What Ollama does: JSON schemas through `format`, native `tools` (model permitting). */
  readonly capabilities: ProviderCapabilities;
  /**
   * The real context window: `numCtx`, lowered to the model's trained context length
   * when `/api/show` reports a smaller one. Once it is known, requests send the lowered
   * value as `num_ctx` too (the first such stream yields a `context-clamped` notice).
   * Throws `model-not-found` for a model that is not pulled.
   */
  contextWindow(options?: { signal?: AbortSignal }): Promise<number>;
  /** Lists the local models (`GET /api/tags`). */
  listModels(options?: { signal?: AbortSignal }): Promise<ModelInfo[]>;
  /** Checks that Ollama answers (`GET /api/version`). Never throws (but for an abort). */
  health(options?: { signal?: AbortSignal }): Promise<HealthStatus>;
  /** Closes the connection pool. */
  dispose(): Promise<void>;
}

const ID = "ollama";

// long-function: a factory: the provider's methods share its closure (options, HTTP client)
/**
 * Creates the Ollama provider: native `POST /api/chat` streamed as NDJSON, with
 * `options.num_ctx` always sent, stop sequences, `format` for JSON-schema constraints,
 * `keep_alive`, error lines inside a 200 stream, retries and timeouts.
 *
 * @param options - Server, model and HTTP options.
 * @returns The provider.
 */
export function createOllama(options: OllamaOptions = {}): OllamaProvider {
  const env = options.env ?? processEnv();
  const baseUrl = options.baseUrl?.replace(/\/+$/, "") ?? resolveOllamaHost(env.OLLAMA_HOST);
  const model = options.model ?? OLLAMA_DEFAULT_MODEL;
  const numCtx = options.numCtx ?? OLLAMA_DEFAULT_NUM_CTX;
  if (!Number.isInteger(numCtx) || numCtx <= 0) {
    throw new GemmaCoderError(`ollama: numCtx must be a positive integer, not ${numCtx}.`, {
      code: "config",
      provider: ID,
    });
  }
  const capabilities: ProviderCapabilities = { jsonSchema: true, nativeTools: true };
  const client = createHttpClient(options, {
    id: ID,
    baseUrl,
    describeError: (info) => ollamaErrorDetails(info.serverMessage, model),
    connectionHint: "Is Ollama running? Start it with `ollama serve`.",
  });
  let cachedWindow: Promise<number> | undefined;
  // The trained context length, once contextWindow() has read it: num_ctx never goes
  // past it (Ollama would allocate a window the model was never trained for).
  let trainedLength: number | undefined;
  let clampNoticed = false;

  return {
    id: ID,
    model,
    numCtx,
    baseUrl,
    capabilities,
    streamChat(request: ChatRequest): AsyncIterable<StreamPart> {
      return (async function* () {
        if (request.signal?.aborted) throw abortError(request.signal);
        assertConstraintSupported(ID, request, capabilities);
        const stop = resolveStops(request);
        const used = trainedLength === undefined ? numCtx : Math.min(numCtx, trainedLength);
        if (used < numCtx && !clampNoticed) {
          clampNoticed = true;
          yield {
            type: "notice",
            kind: "context-clamped",
            message: `ollama: num_ctx ${numCtx} is past ${model}'s trained context length; ${used} is sent instead.`,
            data: { requested: numCtx, used },
          };
        }
        const modelOptions: Record<string, unknown> = { ...options.options, num_ctx: used };
        if (stop.length > 0) modelOptions.stop = [...stop];
        if (request.maxTokens !== undefined) modelOptions.num_predict = request.maxTokens;
        if (request.temperature !== undefined) modelOptions.temperature = request.temperature;
        const body: Record<string, unknown> = {
          model,
          messages: ollamaMessages(request.messages),
          stream: true,
          options: modelOptions,
        };
        if (request.tools !== undefined && request.tools.length > 0) {
          body.tools = functionTools(request.tools);
        }
        if (options.keepAlive !== undefined) body.keep_alive = options.keepAlive;
        if (options.think !== undefined) body.think = options.think;
        if (request.constraint?.type === "json-schema") body.format = request.constraint.schema;
        yield* streamWithRetries(
          (_attempt, signal) =>
            streamAttempt(
              client,
              { method: "POST", path: "/api/chat", body, signal },
              "ndjson",
              new OllamaChatDecoder(model, stop),
            ),
          client.retryOptions(request.signal),
        );
      })();
    },
    contextWindow(call = {}) {
      cachedWindow ??= client
        .json({ method: "POST", path: "/api/show", body: { model }, signal: call.signal })
        .then(
          (show) => {
            const trained = trainedContextLength(show);
            trainedLength = trained;
            return trained === undefined ? numCtx : Math.min(numCtx, trained);
          },
          (error: unknown) => {
            cachedWindow = undefined;
            throw error;
          },
        );
      return cachedWindow;
    },
    async listModels(call = {}) {
      const body = await client.json({ method: "GET", path: "/api/tags", signal: call.signal });
      const entries = isRecord(body) && Array.isArray(body.models) ? body.models : [];
      const models: ModelInfo[] = [];
      for (const entry of entries) {
        if (!isRecord(entry)) continue;
        const id = typeof entry.model === "string" ? entry.model : entry.name;
        if (typeof id === "string") models.push({ id, raw: entry });
      }
      return models;
    },
    async health(call = {}) {
      try {
        const body = await client.json(
          { method: "GET", path: "/api/version", signal: call.signal },
          { retry: false },
        );
        const version =
          isRecord(body) && typeof body.version === "string" ? body.version : undefined;
        const status: HealthStatus = {
          ok: true,
          status: "ok",
          message: `ollama: running${version ? ` (version ${version})` : ""} at ${baseUrl}.`,
        };
        if (version) status.version = version;
        return status;
      } catch (error) {
        return healthFromError(error);
      }
    },
    dispose: () => client.dispose(),
  };
}

/**
 * Reads the trained context length from an `/api/show` answer: the
 * `<architecture>.context_length` entry of `model_info`.
 *
 * @param show - The parsed answer.
 * @returns The length, when reported.
 */
export function trainedContextLength(show: unknown): number | undefined {
  if (!isRecord(show) || !isRecord(show.model_info)) return undefined;
  const info = show.model_info;
  const architecture = info["general.architecture"];
  if (typeof architecture === "string") {
    const value = info[`${architecture}.context_length`];
    if (typeof value === "number") return value;
  }
  for (const [key, value] of Object.entries(info)) {
    if (key.endsWith(".context_length") && typeof value === "number") return value;
  }
  return undefined;
}
