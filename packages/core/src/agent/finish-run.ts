import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import { errorMessage } from "./error-message.js";
import type { RunResult } from "./events.js";
import type { RunFrame } from "./run-context.js";
import { RunAborted } from "./run-signal.js";
import { type RunStop, stopRun } from "./turn-outcome.js";

/**
 * The stop for something thrown out of a run: an abort unwinds with its own stop; anything
 * else is a bug or a broken dependency, reported as an internal error rather than thrown
 * at the caller.
 *
 * @param thrown - What was thrown.
 * @returns The stop the run ends with.
 */
export function stopForThrown(thrown: unknown): RunStop {
  if (thrown instanceof RunAborted) return thrown.stop;
  const failure = new GemmaCoderError(`Internal error: ${errorMessage(thrown)}`, {
    code: "invalid-argument",
    cause: thrown,
  });
  return stopRun("provider-error", failure.message, failure);
}

/**
 * Ends a run: builds its result, records `run-end`, and emits `error` (for a provider
 * failure) and `done`.
 *
 * @param run - The run.
 * @param stop - How it stopped.
 * @param status - The terminal state it ended in.
 * @returns The run's result.
 */
export async function finishRun(
  run: RunFrame,
  stop: RunStop,
  status: RunResult["status"],
): Promise<RunResult> {
  const { runId, journal, summary, steps } = run;
  const sessionId = journal.sessionId;
  const result: RunResult = {
    runId,
    ...(sessionId === undefined ? {} : { sessionId }),
    status,
    stopReason: stop.stopReason,
    ...(summary === undefined ? {} : { summary }),
    steps,
    usage: { ...run.usage },
    ...(stop.error === undefined ? {} : { error: stop.error }),
    message: stop.message,
    messages: run.messages,
    durationMs: run.settings.now() - run.startedAt,
  };
  await journal.record({
    type: "run-end",
    runId,
    status,
    stopReason: stop.stopReason,
    ...(summary === undefined ? {} : { summary }),
    steps,
    usage: { ...run.usage },
    message: stop.message,
    ...(stop.error === undefined
      ? {}
      : { error: { code: stop.error.code, message: stop.error.message } }),
    durationMs: result.durationMs,
  });
  if (stop.error && stop.stopReason === "provider-error") {
    journal.emit("error", { runId, error: stop.error });
  }
  journal.emit("done", { runId, result });
  return result;
}
