import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import type { AgentEvent, RunResult } from "./events.js";

/** Receives each event of a run, synchronously, in order. */
export type EventListener = (event: AgentEvent) => void;

/**
 * Runs `start` and yields its events. The run gets its own signal, fired by the caller's
 * signal and by the consumer leaving the loop early (`return()` on the iterator): leaving
 * cancels the run like an abort, and `return()` settles only once the run has ended, so no
 * model request or tool is left running behind it.
 *
 * @param listeners - The agent's event listeners; the stream's own is added for the run.
 * @param callerSignal - The caller's signal, if any.
 * @param start - Starts the run with the stream's signal.
 * @returns The events, then the run's result.
 */
export async function* streamEvents(
  listeners: Set<EventListener>,
  callerSignal: AbortSignal | undefined,
  start: (signal: AbortSignal) => Promise<RunResult>,
): AsyncGenerator<AgentEvent, RunResult> {
  const queue: AgentEvent[] = [];
  let wake: (() => void) | undefined;
  const listener: EventListener = (event) => {
    queue.push(event);
    wake?.();
  };
  const stop = new AbortController();
  const onCallerAbort = () => stop.abort(callerSignal?.reason);
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
  listeners.add(listener);
  let finished = false;
  let failure: unknown;
  const promise = start(stop.signal).then(
    (result) => {
      finished = true;
      wake?.();
      return result;
    },
    (error: unknown) => {
      finished = true;
      failure = error;
      wake?.();
      return undefined;
    },
  );
  try {
    for (;;) {
      while (queue.length > 0) yield queue.shift() as AgentEvent;
      if (finished) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
    const result = await promise;
    if (result === undefined) throw failure;
    return result;
  } finally {
    callerSignal?.removeEventListener("abort", onCallerAbort);
    if (!finished) {
      stop.abort(
        new GemmaCoderError("The stream's consumer stopped reading, so the run was cancelled.", {
          code: "aborted",
        }),
      );
      await promise;
    }
    listeners.delete(listener);
  }
}
