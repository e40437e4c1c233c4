import {
  type FinishPart,
  type FinishReason,
  GemmaCoderError,
  type ReplyTokens,
  type StreamPart,
} from "@gemma-coder/core";
import { isRecord, streamError } from "../http/errors.js";
import { streamPayloadError } from "../openai/chat-completions.js";
import { buildUsage } from "../shared/usage.js";
import type { PayloadDecoder } from "../stream/attempt.js";

/** What to do when llama-server reports that it silently truncated the prompt. */
export type TruncationPolicy = "error" | "notice";

/** How to read one `/completion` stream. */
export interface CompletionDecoderOptions {
  /** Provider id. */
  provider: string;
  /** The caller's stop sequences (a stop on one of them is `stop-sequence`). */
  stop: readonly string[];
  /** The template's end-of-turn marker (a stop on it is a plain `stop`). */
  endOfTurn?: string;
  /** The model name for `finish.model`. */
  model?: string | undefined;
  /** The server's context size, for messages. */
  contextSize?: number | undefined;
  /** What to do with `truncated: true`. */
  truncation: TruncationPolicy;
}

/**
 * Decodes llama-server's `/completion` SSE stream: `content` deltas, then a last event
 * with `stop: true` carrying `stop_type` (`eos`, `limit`, `word` with `stopping_word`),
 * `truncated`, token counts and `timings` (there is no `[DONE]`). The prompt tokens
 * served from the KV cache are `tokens_evaluated - timings.prompt_n` (or
 * `timings.cache_n` on builds that report it).
 */
export class CompletionDecoder implements PayloadDecoder {
  private finish: FinishPart | undefined;
  private notices: StreamPart[] = [];
  /** Every generated token id, from the `tokens` of each event, in order. */
  private readonly ids: number[] = [];
  private text = "";
  /** Whether every event so far carried its token ids (older builds may send none). */
  private idsComplete = true;
  private lastIdsHadText = true;

  /**
   * Creates a decoder for one attempt.
   *
   * @param options - Stops, model and truncation policy.
   */
  constructor(private readonly options: CompletionDecoderOptions) {}

  /** `true` after the event with `stop: true`. */
  get complete(): boolean {
    return this.finish !== undefined;
  }

  /** {@inheritDoc PayloadDecoder.push} */
  push(data: string, event?: string): StreamPart[] {
    const { provider } = this.options;
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch (error) {
      throw streamError(provider, `malformed stream event: ${JSON.stringify(data.slice(0, 200))}`, {
        cause: error,
      });
    }
    if (!isRecord(chunk)) {
      throw streamError(provider, `unexpected stream event: ${JSON.stringify(data.slice(0, 200))}`);
    }
    if (chunk.error !== undefined || event === "error") throw streamPayloadError(provider, chunk);
    const parts: StreamPart[] = [];
    if (typeof chunk.content === "string" && chunk.content.length > 0) {
      parts.push({ type: "text-delta", text: chunk.content });
      this.text += chunk.content;
    }
    this.collectIds(chunk);
    if (chunk.stop === true) {
      if (chunk.truncated === true) this.onTruncated(chunk);
      const timings = isRecord(chunk.timings) ? chunk.timings : {};
      const finish: FinishPart = { type: "finish", reason: this.reason(chunk) };
      const usage = buildUsage({
        input: chunk.tokens_evaluated,
        output: chunk.tokens_predicted ?? timings.predicted_n,
        cached: timings.cache_n,
        evaluated: timings.prompt_n,
      });
      if (usage) finish.usage = usage;
      if (this.options.model !== undefined) finish.model = this.options.model;
      const tokens = this.replyTokens(chunk);
      if (tokens) finish.tokens = tokens;
      this.finish = finish;
    }
    return parts;
  }

  /** {@inheritDoc PayloadDecoder.end} */
  end(): StreamPart[] {
    if (!this.finish) {
      throw streamError(
        this.options.provider,
        "the stream ended before the final event (the one with stop: true).",
      );
    }
    return [...this.notices, this.finish];
  }

  private collectIds(chunk: Record<string, unknown>): void {
    if (chunk.stop === true && !Array.isArray(chunk.tokens)) return;
    if (!Array.isArray(chunk.tokens)) {
      this.idsComplete = false;
      return;
    }
    // The last event repeats nothing in stream mode; a non-stream answer lists them all.
    if (chunk.stop === true && this.ids.length > 0) return;
    for (const id of chunk.tokens) {
      if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0) {
        this.idsComplete = false;
        return;
      }
      this.ids.push(id);
    }
    if (chunk.tokens.length > 0) {
      this.lastIdsHadText = typeof chunk.content === "string" && chunk.content.length > 0;
    }
  }

  /**
   * The reply's token ids and the text they spell, when the server streamed all of
   * them: the streamed text plus the caller's stop sequence the server held back. The
   * server streams every sampled token's id, a stop sequence's included; an
   * end-of-generation token (sent with no text) is not part of the reply.
   */
  private replyTokens(chunk: Record<string, unknown>): ReplyTokens | undefined {
    if (!this.idsComplete || this.ids.length === 0) return undefined;
    // A token that ends inside a UTF-8 character is not streamed on its own (the 2025
    // build sends its text with the next token, under that token's id only): when ids
    // are missing, sending the rest back would drop tokens from the history.
    const predicted = chunk.tokens_predicted;
    if (typeof predicted === "number" && predicted !== this.ids.length) return undefined;
    const ids = [...this.ids];
    const type = typeof chunk.stop_type === "string" ? chunk.stop_type : legacyStopType(chunk);
    let text = this.text;
    if (type === "eos" && !this.lastIdsHadText) ids.pop();
    if (type === "word") {
      const word = typeof chunk.stopping_word === "string" ? chunk.stopping_word : "";
      // The template's end-of-turn marker is written by the template, not by the reply.
      if (word === "" || !this.options.stop.includes(word)) return undefined;
      text += word;
    }
    if (ids.length === 0) return undefined;
    return {
      provider: this.options.provider,
      ...(this.options.model !== undefined ? { model: this.options.model } : {}),
      ids,
      text,
    };
  }

  private reason(chunk: Record<string, unknown>): FinishReason {
    const type = typeof chunk.stop_type === "string" ? chunk.stop_type : legacyStopType(chunk);
    if (type === "limit") return "length";
    if (type === "word") {
      const word = typeof chunk.stopping_word === "string" ? chunk.stopping_word : "";
      if (word !== "" && word === this.options.endOfTurn) return "stop";
      return "stop-sequence";
    }
    return "stop";
  }

  private onTruncated(chunk: Record<string, unknown>): void {
    const { provider, contextSize } = this.options;
    const evaluated =
      typeof chunk.tokens_evaluated === "number" ? chunk.tokens_evaluated : undefined;
    const size = contextSize === undefined ? "" : ` (${contextSize} tokens)`;
    const message = `${provider}: the prompt did not fit in the context window${size}; this llama-server build dropped part of it silently (truncated: true), so the reply answers a different conversation. Shorten the conversation or start llama-server with a larger --ctx-size.`;
    if (this.options.truncation === "error") {
      throw new GemmaCoderError(message, { code: "context-overflow", provider });
    }
    this.notices.push({
      type: "notice",
      kind: "context-overflow",
      message,
      data: { certain: true, contextSize, promptTokensKept: evaluated },
    });
  }
}

function legacyStopType(chunk: Record<string, unknown>): string {
  if (chunk.stopped_word === true) return "word";
  if (chunk.stopped_limit === true) return "limit";
  if (chunk.stopped_eos === true) return "eos";
  return "none";
}
