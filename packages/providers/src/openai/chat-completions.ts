import type {
  ChatRequest,
  ErrorCode,
  FinishPart,
  FinishReason,
  GemmaCoderError,
  StreamPart,
} from "@gemma-coder/core";
import { isRecord, messageFromJson, streamError } from "../http/errors.js";
import { functionTools, openAIMessages, ToolCallAssembler } from "../shared/native-tools.js";
import { inferStopReason } from "../shared/stop.js";
import { buildUsage } from "../shared/usage.js";
import type { PayloadDecoder } from "../stream/attempt.js";

/** How to shape a `/chat/completions` request body. */
export interface ChatCompletionsBodyOptions {
  /** The model id. */
  model?: string | undefined;
  /** OpenRouter's server-side fallback list. */
  models?: readonly string[] | undefined;
  /** Stop sequences. */
  stop: readonly string[];
  /** How to ask for usage in the stream. */
  usage: "stream-options" | "openrouter" | "none";
  /** Where a GBNF grammar goes (`grammar` for llama.cpp); absent means unsupported. */
  grammarField?: string;
  /** Extra body fields, merged last. */
  extraBody?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Builds an OpenAI-style streaming chat request body.
 *
 * @param request - The chat request.
 * @param options - Model, stops and server quirks.
 * @returns The JSON body.
 */
export function chatCompletionsBody(
  request: ChatRequest,
  options: ChatCompletionsBodyOptions,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (options.model !== undefined) body.model = options.model;
  if (options.models && options.models.length > 1) body.models = [...options.models];
  body.messages = openAIMessages(request.messages);
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = functionTools(request.tools);
  }
  body.stream = true;
  if (options.stop.length > 0) body.stop = [...options.stop];
  if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (options.usage === "stream-options") body.stream_options = { include_usage: true };
  if (options.usage === "openrouter") body.usage = { include: true };
  const constraint = request.constraint;
  if (constraint?.type === "json-schema") {
    // Not `strict`: OpenAI-style strict mode demands an object at the root and every
    // property required, which the tool-call schema (an anyOf over tools, optional
    // arguments) is not. Servers that enforce schemas still do; the reply is validated anyway.
    body.response_format = {
      type: "json_schema",
      json_schema: { name: "reply", schema: constraint.schema, strict: false },
    };
  } else if (constraint?.type === "grammar" && options.grammarField) {
    body[options.grammarField] = constraint.grammar;
  }
  return { ...body, ...options.extraBody };
}

/** How to read an OpenAI-style stream. */
export interface ChatCompletionsDecoderOptions {
  /** Provider id. */
  provider: string;
  /** The stop sequences sent, to tell a stop-sequence stop from an end of turn. */
  stop: readonly string[];
  /** The model asked for. */
  requestedModel?: string | undefined;
  /** Report the answering model in `finish.model` (servers whose `model` field is meaningful). */
  reportModel: boolean;
  /** Emit a `model-fallback` notice when a different model answers. */
  fallbackNotice: boolean;
}

/** The raw numbers of the last chunk, for provider-specific checks. */
export interface ChatCompletionsFinal {
  /** `usage` as sent. */
  usage?: Record<string, unknown>;
  /** llama.cpp's `timings`. */
  timings?: Record<string, unknown>;
}

/**
 * Decodes `chat.completion.chunk` events: text deltas, the finish reason, usage (from
 * whichever chunk carries it), the answering model, and errors sent as a chunk with
 * an `error` field inside a 200 stream.
 */
export class ChatCompletionsDecoder implements PayloadDecoder {
  private text = "";
  private finishReason: string | undefined;
  private stopReason: unknown;
  private model: string | undefined;
  private finished = false;
  private readonly toolCalls = new ToolCallAssembler();
  /** The last usage and timings seen. */
  readonly final: ChatCompletionsFinal = {};

  /**
   * Creates a decoder for one attempt.
   *
   * @param options - Provider id, stops and model reporting.
   */
  constructor(private readonly options: ChatCompletionsDecoderOptions) {}

  /** `true` after `data: [DONE]`. */
  get complete(): boolean {
    return this.finished;
  }

  /** The model named by the chunks, once seen. */
  get answeringModel(): string | undefined {
    return this.model;
  }

  /** {@inheritDoc PayloadDecoder.push} */
  push(data: string, event?: string): StreamPart[] {
    const trimmed = data.trim();
    if (trimmed === "[DONE]") {
      this.finished = true;
      return [];
    }
    const { provider } = this.options;
    let chunk: unknown;
    try {
      chunk = JSON.parse(trimmed);
    } catch (error) {
      throw streamError(provider, `malformed stream event: ${JSON.stringify(data.slice(0, 200))}`, {
        cause: error,
      });
    }
    if (!isRecord(chunk)) {
      throw streamError(provider, `unexpected stream event: ${JSON.stringify(data.slice(0, 200))}`);
    }
    if (chunk.error !== undefined || event === "error" || chunk.object === "error") {
      throw streamPayloadError(provider, chunk);
    }
    const parts: StreamPart[] = [];
    if (typeof chunk.model === "string" && this.model === undefined) {
      this.model = chunk.model;
      const requested = this.options.requestedModel;
      if (this.options.fallbackNotice && requested && !sameModel(requested, chunk.model)) {
        parts.push({
          type: "notice",
          kind: "model-fallback",
          message: `${provider}: model ${chunk.model} answered (fallback for ${requested}).`,
          data: { requested, model: chunk.model },
        });
      }
    }
    if (isRecord(chunk.usage)) this.final.usage = chunk.usage;
    if (isRecord(chunk.timings)) this.final.timings = chunk.timings;
    const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
    if (isRecord(choice)) {
      const delta = isRecord(choice.delta)
        ? choice.delta
        : isRecord(choice.message)
          ? choice.message
          : undefined;
      const content = delta?.content;
      if (typeof content === "string" && content.length > 0) {
        this.text += content;
        parts.push({ type: "text-delta", text: content });
      }
      // Streamed calls come in fragments by index; they are yielded whole at the end.
      this.toolCalls.push(delta?.tool_calls);
      if (typeof choice.finish_reason === "string") {
        if (choice.finish_reason === "error") {
          throw streamError(
            provider,
            'the server reported an error mid-stream (finish_reason "error").',
          );
        }
        this.finishReason = choice.finish_reason;
        if (choice.stop_reason !== undefined && choice.stop_reason !== null) {
          this.stopReason = choice.stop_reason;
        }
      }
    }
    return parts;
  }

  /** {@inheritDoc PayloadDecoder.end} */
  end(): StreamPart[] {
    return [...this.toolCallParts(), this.finishPart()];
  }

  /**
   * The tool calls the stream carried, assembled.
   *
   * @returns One `tool-call` part per call, in index order.
   */
  toolCallParts(): StreamPart[] {
    return this.toolCalls.parts();
  }

  /**
   * Builds the finish part.
   *
   * @returns The finish part.
   */
  finishPart(): FinishPart {
    if (this.finishReason === undefined && !this.finished) {
      throw streamError(
        this.options.provider,
        "the stream ended before the server finished the reply (no finish_reason and no [DONE]).",
      );
    }
    const part: FinishPart = { type: "finish", reason: this.mapReason() };
    const usage = this.final.usage;
    const timings = this.final.timings;
    const details = isRecord(usage?.prompt_tokens_details)
      ? usage.prompt_tokens_details
      : undefined;
    const built = buildUsage({
      input: usage?.prompt_tokens,
      output: usage?.completion_tokens,
      cached: details?.cached_tokens ?? timings?.cache_n,
      evaluated: timings?.prompt_n,
    });
    if (built) part.usage = built;
    const model = this.model ?? this.options.requestedModel;
    if (this.options.reportModel && model !== undefined) part.model = model;
    return part;
  }

  private mapReason(): FinishReason {
    switch (this.finishReason) {
      case "length":
        return "length";
      case "content_filter":
        return "error";
      case "stop":
      case undefined:
        if (typeof this.stopReason === "string" && this.options.stop.includes(this.stopReason)) {
          return "stop-sequence";
        }
        return inferStopReason(this.text, this.options.stop);
      default:
        return "stop";
    }
  }
}

/**
 * Tells whether two model ids name the same model, ignoring a variant suffix such as
 * `:free` that some routers drop in their replies.
 *
 * @param a - One id.
 * @param b - Another id.
 * @returns `true` when they match.
 */
export function sameModel(a: string, b: string): boolean {
  const base = (id: string) => id.split(":")[0]?.toLowerCase() ?? id;
  return base(a) === base(b);
}

/**
 * Turns an error chunk inside a 200 stream into a typed error, using its numeric code
 * when there is one (OpenRouter sends the upstream HTTP status).
 *
 * @param provider - Provider id.
 * @param chunk - The chunk.
 * @returns The error.
 */
export function streamPayloadError(
  provider: string,
  chunk: Record<string, unknown>,
): GemmaCoderError {
  const found = messageFromJson(chunk);
  const message = found.message ?? JSON.stringify(chunk).slice(0, 300);
  const error = isRecord(chunk.error) ? chunk.error : chunk;
  const numeric =
    typeof error.code === "number"
      ? error.code
      : typeof error.code === "string" && /^\d{3}$/.test(error.code)
        ? Number(error.code)
        : undefined;
  let code: ErrorCode = "provider-stream";
  let isRetryable = true;
  if (
    /exceed_context_size|context (length|size|window)|exceeds? the (available )?context/i.test(
      `${found.type ?? ""} ${message}`,
    )
  ) {
    code = "context-overflow";
    isRetryable = false;
  } else if (numeric === 429) {
    code = "rate-limited";
  } else if (numeric === 401 || numeric === 403) {
    code = "provider-auth";
    isRetryable = false;
  } else if (numeric !== undefined && numeric >= 400 && numeric < 500 && numeric !== 408) {
    isRetryable = false;
  }
  const options: Parameters<typeof streamError>[2] = { code, isRetryable };
  if (numeric !== undefined) options.status = numeric;
  return streamError(provider, `error inside the stream: ${message}`, options);
}
