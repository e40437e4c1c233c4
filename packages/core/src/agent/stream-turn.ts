import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import { createReplyStream, type ReplyStream } from "../protocol/reply-stream.js";
import {
  createSpiralDetector,
  type Spiral,
  type SpiralDetector,
} from "../protocol/spiral-detector.js";
import { CALL_TAGS } from "../protocol/tags.js";
import type { FinishReason, ReplyTokens, Usage } from "../provider/provider.js";
import { providerError } from "./error-message.js";
import { ReplyMeter } from "./reply-cap.js";
import type { Run } from "./run-context.js";
import { RunAborted, throwIfAborted } from "./run-signal.js";
import { type RunStop, stopRun } from "./turn-outcome.js";
import { restartBrokenTurn, turnGaveUp } from "./turn-retry.js";

/** A turn's reply, streamed to its end (or cut), reported, and ready to interpret. */
export interface StreamedReply {
  readonly kind: "reply";
  /** The reply as the agent uses it: cut after a complete call. */
  readonly text: string;
  /** Why the stream ended (`stop-sequence` when the agent closed it after a call). */
  readonly finishReason: FinishReason;
  /** The reply's exact tokens, when the provider reported them. */
  readonly tokens: ReplyTokens | undefined;
  /** The size meter: `over` is set when the reply was cut for length. */
  readonly meter: ReplyMeter;
  /** The degenerate loop the stream was cut for, if any. */
  readonly spiral: Spiral | undefined;
}

/** What streaming a turn came to: a reply, a broken turn to ask again, or the end of the run. */
export type StreamOutcome = StreamedReply | { readonly kind: "retry" } | RunStop;

/** What the stream's finish part (or the agent cutting it) left. */
interface StreamEnd {
  finishReason?: FinishReason | undefined;
  usage?: Usage | undefined;
  tokens?: ReplyTokens | undefined;
}

const CLOSE_TAGS = CALL_TAGS.map(([, close]) => close);

/** Whether the text after a completed call is (so far) just whitespace and a close tag. */
function onlyCloseTagFollows(text: string, completeAt: number): boolean {
  const rest = text.slice(completeAt);
  if (rest.length > 32) return false;
  const trimmed = rest.trim();
  return CLOSE_TAGS.some((tag) => tag.startsWith(trimmed));
}

/**
 * Calls the model for one turn and streams its reply, stopping early once a call is
 * complete, once the reply is too long, or once it spirals. A stream that breaks after
 * the reply started is asked again (`retry`) within the turn-retry budget; past it the
 * run stops with `provider-error`. The finished reply is recorded and reported
 * (`turn-end`, `usage`).
 *
 * @param run - The run.
 * @param step - The turn's step.
 * @returns The reply, `retry`, or the stop.
 */
export async function streamTurn(run: Run, step: number): Promise<StreamOutcome> {
  const reply = createReplyStream({ toolNames: run.toolNames });
  const spiral = createSpiralDetector();
  const meter = new ReplyMeter(run.cap);
  const end: StreamEnd = {};
  try {
    await readStream(run, step, { reply, spiral, meter, end });
  } catch (error) {
    if (run.signal.aborted) throw new RunAborted(run.signal);
    const failure = providerError(error, run.provider.id);
    // A call that was already complete when the stream broke is used as it is.
    if (reply.complete) end.finishReason = "stop-sequence";
    else return brokenTurn(run, step, failure, reply.text, end.usage, failure.message);
  }
  throwIfAborted(run.signal);
  if (end.finishReason === "error") {
    const failure = new GemmaCoderError("The model stream ended with an error.", {
      code: "provider-stream",
      provider: run.provider.id,
    });
    return brokenTurn(run, step, failure, reply.text, end.usage, undefined);
  }
  const text =
    reply.complete && meter.over === undefined ? reply.text.slice(0, reply.completeAt) : reply.text;
  const finishReason = end.finishReason ?? "stop";
  await reportReply(run, step, text, finishReason, end.usage);
  return { kind: "reply", text, finishReason, tokens: end.tokens, meter, spiral: spiral.spiral };
}

/** Reads the provider's stream into the reply, emitting `text-delta` and `notice` as they come. */
async function readStream(
  run: Run,
  step: number,
  turn: { reply: ReplyStream; spiral: SpiralDetector; meter: ReplyMeter; end: StreamEnd },
): Promise<void> {
  const { reply, spiral, meter, end } = turn;
  const { runId } = run;
  const stream = run.provider.streamChat({
    messages: [...run.messages],
    stop: run.plan.stop,
    ...(run.plan.constraint === undefined ? {} : { constraint: run.plan.constraint }),
    maxTokens: run.settings.maxOutputTokens,
    ...(run.options.temperature === undefined ? {} : { temperature: run.options.temperature }),
    signal: run.signal,
  });
  for await (const part of stream) {
    if (part.type === "text-delta") {
      if (part.text === "") continue;
      const kept = meter.take(part.text);
      if (meter.over !== undefined) {
        // Too long: keep what fits and close the request (leaving the loop does).
        if (kept !== "") run.journal.emit("text-delta", { runId, step, text: kept });
        reply.push(kept);
        end.finishReason = "length";
        return;
      }
      run.journal.emit("text-delta", { runId, step, text: part.text });
      // Once a complete call has arrived, only its close tag may follow (the backend
      // stops there and reports usage). Anything else means the model ran on: leaving
      // the loop closes the stream and stops generation.
      if (reply.push(part.text) && !onlyCloseTagFollows(reply.text, reply.completeAt)) {
        end.finishReason = "stop-sequence";
        return;
      }
      // Degenerate output: stop paying for it now (leaving the loop aborts the request).
      if (!reply.complete && spiral.push(part.text)) {
        end.finishReason = "abort";
        return;
      }
    } else if (part.type === "finish") {
      end.finishReason = part.reason;
      end.usage = part.usage;
      end.tokens = part.tokens;
    } else {
      await run.journal.notice(step, part);
    }
  }
}

/**
 * A turn whose stream broke: the partial reply is recorded; when it had started and a
 * retry remains, the turn is asked again, else the run stops with the failure.
 */
async function brokenTurn(
  run: Run,
  step: number,
  failure: GemmaCoderError,
  withdrawn: string,
  usage: Usage | undefined,
  recordedError: string | undefined,
): Promise<StreamOutcome> {
  await run.journal.reply(step, withdrawn, "error", usage, recordedError);
  const { runId, signal, journal } = run;
  const again = await restartBrokenTurn({
    retry: run.turnRetry,
    runId,
    step,
    error: failure,
    withdrawn,
    signal,
    emit: (payload) => journal.emit("turn-restart", payload),
    record: (message) =>
      journal.record({ type: "notice", runId, step, kind: "turn-restart", message }),
  }).catch((thrown: unknown) => {
    if (signal.aborted) throw new RunAborted(signal);
    throw thrown;
  });
  if (again) return { kind: "retry" };
  const gaveUp = turnGaveUp(failure, run.turnRetry.usedFor(step));
  return stopRun("provider-error", gaveUp.message, gaveUp);
}

/** Records the finished reply and reports the turn's end and its token usage. */
async function reportReply(
  run: Run,
  step: number,
  text: string,
  finishReason: FinishReason,
  usage: Usage | undefined,
): Promise<void> {
  const { runId } = run;
  await run.journal.reply(step, text, finishReason, usage);
  run.journal.emit("turn-end", {
    runId,
    step,
    text,
    finishReason,
    ...(usage === undefined ? {} : { usage }),
  });
  if (usage) {
    run.usage.inputTokens += usage.inputTokens ?? 0;
    run.usage.outputTokens += usage.outputTokens ?? 0;
    run.usage.cachedInputTokens += usage.cachedInputTokens ?? 0;
    run.journal.emit("usage", { runId, step, usage, total: { ...run.usage } });
  }
}
