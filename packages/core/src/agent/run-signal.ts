import { abortError, GemmaCoderError } from "../errors/gemma-coder-error.js";
import { formatLimit } from "./format-limit.js";
import type { RunStop } from "./turn-outcome.js";

/** The signal of one run and how to let go of the caller's signal and the timer. */
export interface RunSignal {
  /** Fires when the caller aborts or the run's time limit passes. */
  readonly signal: AbortSignal;
  /** Clears the timer and the listener on the caller's signal. */
  dispose(): void;
}

/**
 * One controller for the run: the caller's signal and the timeout both fire it, each with
 * its own typed reason (`aborted` or `timeout`).
 *
 * @param callerSignal - The signal of {@link RunOptions}, if any.
 * @param timeoutMs - The run's wall-clock limit, if any (`0` and `Infinity` mean none).
 * @returns The run's signal.
 */
export function createRunSignal(
  callerSignal: AbortSignal | undefined,
  timeoutMs: number | undefined,
): RunSignal {
  const controller = new AbortController();
  const onAbort = () =>
    controller.abort(
      new GemmaCoderError("The run was aborted.", { code: "aborted", cause: callerSignal?.reason }),
    );
  if (callerSignal?.aborted) onAbort();
  else callerSignal?.addEventListener("abort", onAbort, { once: true });
  const timer =
    timeoutMs === undefined || timeoutMs === 0 || timeoutMs === Number.POSITIVE_INFINITY
      ? undefined
      : setTimeout(
          () =>
            controller.abort(
              new GemmaCoderError(`The run exceeded its time limit of ${formatLimit(timeoutMs)}.`, {
                code: "timeout",
              }),
            ),
          timeoutMs,
        );
  return {
    signal: controller.signal,
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      callerSignal?.removeEventListener("abort", onAbort);
    },
  };
}

/**
 * Thrown when the run's signal has fired, to unwind from wherever the run is waiting to its
 * end. It is the one stop that travels as an exception (an abort can land inside any
 * await); every other stop is a value a turn returns. It never escapes `run()`.
 */
export class RunAborted {
  /** The stop the run ends with (`aborted` or `timeout`). */
  readonly stop: RunStop;

  /** @param signal - The run's fired signal. */
  constructor(signal: AbortSignal) {
    this.stop = abortStop(signal);
  }
}

/**
 * The stop for a fired signal: `timeout` when the time limit fired it, else `aborted`.
 *
 * @param signal - The run's fired signal.
 * @returns The stop.
 */
export function abortStop(signal: AbortSignal): RunStop {
  const error = abortError(signal);
  const reason = error.code === "timeout" ? "timeout" : "aborted";
  return { kind: "stop", stopReason: reason, message: error.message, error };
}

/**
 * Unwinds the run when its signal has fired.
 *
 * @param signal - The run's signal.
 * @throws RunAborted when it has fired.
 */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new RunAborted(signal);
}
