import type { FinishPart, StreamPart } from "@gemma-coder/core";
import { isRecord, streamError } from "../http/errors.js";
import { ToolCallAssembler } from "../shared/native-tools.js";
import { inferStopReason } from "../shared/stop.js";
import { buildUsage } from "../shared/usage.js";
import type { PayloadDecoder } from "../stream/attempt.js";
import { ollamaErrorDetails } from "./ollama-errors.js";

/**
 * Decodes Ollama's `/api/chat` NDJSON stream: `message.content` deltas, native calls
 * (`message.tool_calls`, yielded as `tool-call` parts before the finish), the final
 * `done: true` line with `done_reason` and token counts, and `{"error": "..."}` lines,
 * which Ollama also sends inside a 200 stream.
 */
export class OllamaChatDecoder implements PayloadDecoder {
  private text = "";
  private done = false;
  private finish: FinishPart | undefined;
  private readonly toolCalls = new ToolCallAssembler();

  /**
   * Creates a decoder for one attempt.
   *
   * @param model - The model asked for (for the pull hint and `finish.model`).
   * @param stop - The stop sequences sent.
   */
  constructor(
    private readonly model: string,
    private readonly stop: readonly string[],
  ) {}

  /** `true` after the `done: true` line. */
  get complete(): boolean {
    return this.done;
  }

  /** {@inheritDoc PayloadDecoder.push} */
  push(line: string): StreamPart[] {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw streamError("ollama", `malformed stream line: ${JSON.stringify(line.slice(0, 200))}`, {
        cause: error,
      });
    }
    if (!isRecord(value)) {
      throw streamError("ollama", `unexpected stream line: ${JSON.stringify(line.slice(0, 200))}`);
    }
    if (typeof value.error === "string") {
      const details = ollamaErrorDetails(value.error, this.model);
      throw streamError(
        "ollama",
        `error inside the stream: ${value.error}${details.hint ? ` ${details.hint}` : ""}`,
        { code: details.code ?? "provider-stream", isRetryable: details.isRetryable ?? true },
      );
    }
    const parts: StreamPart[] = [];
    const message = isRecord(value.message) ? value.message : undefined;
    if (typeof message?.content === "string" && message.content.length > 0) {
      this.text += message.content;
      parts.push({ type: "text-delta", text: message.content });
    }
    // Ollama sends each native call whole (arguments as an object), usually in one line.
    this.toolCalls.push(message?.tool_calls);
    if (value.done === true) {
      this.done = true;
      const reason =
        value.done_reason === "length" ? "length" : inferStopReason(this.text, this.stop);
      const finish: FinishPart = {
        type: "finish",
        reason,
        model: typeof value.model === "string" ? value.model : this.model,
      };
      const usage = buildUsage({ input: value.prompt_eval_count, output: value.eval_count });
      if (usage) finish.usage = usage;
      this.finish = finish;
    }
    return parts;
  }

  /** {@inheritDoc PayloadDecoder.end} */
  end(): StreamPart[] {
    if (!this.finish) {
      throw streamError("ollama", "the stream ended before the final line (done: true).");
    }
    return [...this.toolCalls.parts(), this.finish];
  }
}
