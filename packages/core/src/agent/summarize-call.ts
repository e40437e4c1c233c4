import type { Summarizer } from "../context/context-manager.js";
import type { ChatMessage, ModelProvider } from "../provider/provider.js";
import { errorMessage } from "./error-message.js";
import type { RunFrame } from "./run-context.js";

/**
 * Makes one plain call (no stop sequence) and returns its text: used for summaries. The
 * text is capped like a turn's reply; past the cap the request is closed.
 */
async function collectText(
  provider: ModelProvider,
  messages: readonly ChatMessage[],
  signal: AbortSignal,
  maxChars: number,
): Promise<string> {
  let text = "";
  for await (const part of provider.streamChat({ messages, maxTokens: 400, signal })) {
    if (part.type !== "text-delta") continue;
    text += part.text.slice(0, maxChars - text.length);
    if (text.length >= maxChars) break;
  }
  return text;
}

/**
 * The summariser the context manager calls when eliding is not enough: one plain model
 * call, recorded as a `summary` reply (a failed one too, so a replay fails at the same
 * point).
 *
 * @param run - The run.
 * @param maxChars - Cap on the summary's characters.
 * @returns The summariser.
 */
export function runSummarizer(run: RunFrame, maxChars: number): Summarizer {
  const { runId, provider, signal, journal } = run;
  return async (request) => {
    const step = run.steps;
    try {
      const text = await collectText(provider, request, signal, maxChars);
      await journal.record({
        type: "reply",
        runId,
        step,
        purpose: "summary",
        text,
        finishReason: "stop",
      });
      return text;
    } catch (error) {
      // A failed summary is recorded so a replay fails at the same point.
      if (!signal.aborted) {
        await journal.record({
          type: "reply",
          runId,
          step,
          purpose: "summary",
          text: "",
          finishReason: "error",
          error: errorMessage(error),
        });
      }
      throw error;
    }
  };
}
