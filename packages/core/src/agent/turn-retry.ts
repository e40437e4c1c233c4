import { abortError, GemmaCoderError } from "../errors/gemma-coder-error.js";
import type { AgentEventMap } from "./events.js";

/**
 * How the agent asks again for a turn whose stream broke after the reply had started.
 * Providers retry a request on their own until the first text arrives; past that point
 * only the whole turn can be asked again, from the same prompt, with the partial text
 * withdrawn (a `turn-restart` event).
 */
export interface TurnRetryOptions {
  /** Times one turn is asked again after its stream broke. Default 2; 0 turns it off. */
  retries?: number;
  /** Wait before the first new attempt, doubled for each further one. Default 500 ms. */
  baseDelayMs?: number;
  /** Cap on one wait. Default 4,000 ms. */
  maxDelayMs?: number;
  /**
   * Waits between attempts; tests pass one that records the delays instead of waiting.
   * It must reject when the signal fires. Default: a timer.
   */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** What {@link TurnRetry.next} decided about a broken turn. */
export type TurnRetryDecision =
  | { retry: true; attempt: number; retries: number; delayMs: number }
  | { retry: false };

/** Error codes that mean the connection or the stream broke, not that the request was wrong. */
const BROKEN_STREAM_CODES: ReadonlySet<string> = new Set([
  "provider-stream",
  "provider-timeout",
  "provider-connection",
]);

/**
 * Whether a failure that hit after the reply started is worth asking the turn again for:
 * a broken, stalled or garbled stream (or anything the provider marks retryable) is;
 * a refused key, a missing model or an overflowing context is not.
 *
 * @param error - The failure.
 * @returns `true` when a new attempt may succeed.
 */
export function isTurnRetryable(error: GemmaCoderError): boolean {
  if (error.code === "aborted") return false;
  return BROKEN_STREAM_CODES.has(error.code) || error.isRetryable;
}

/**
 * Counts the attempts of the current turn and says whether (and after how long) a broken
 * one is asked again. One instance serves a whole run; the count starts over each step.
 */
export class TurnRetry {
  private readonly retries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleepFor: (ms: number, signal: AbortSignal) => Promise<void>;
  private step = -1;
  private used = 0;

  /** @param options - Retry count, backoff and the sleep function. */
  constructor(options: TurnRetryOptions = {}) {
    this.retries = Math.max(0, Math.floor(options.retries ?? 2));
    this.baseDelayMs = Math.max(0, options.baseDelayMs ?? 500);
    this.maxDelayMs = Math.max(0, options.maxDelayMs ?? 4000);
    this.sleepFor = options.sleep ?? sleepWithSignal;
  }

  /**
   * Decides about a turn that broke after its reply started.
   *
   * @param step - The step that broke.
   * @param error - Why it broke.
   * @returns Retry (with the attempt number and the wait) or give up.
   */
  next(step: number, error: GemmaCoderError): TurnRetryDecision {
    if (step !== this.step) {
      this.step = step;
      this.used = 0;
    }
    if (!isTurnRetryable(error) || this.used >= this.retries) return { retry: false };
    this.used++;
    const delayMs = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (this.used - 1));
    return { retry: true, attempt: this.used, retries: this.retries, delayMs };
  }

  /**
   * The new attempts made so far for a step.
   *
   * @param step - The step.
   * @returns How many times it was asked again.
   */
  usedFor(step: number): number {
    return step === this.step ? this.used : 0;
  }

  /**
   * Waits before the next attempt.
   *
   * @param ms - How long.
   * @param signal - The run's signal: an abort ends the wait at once.
   */
  wait(ms: number, signal: AbortSignal): Promise<void> {
    return this.sleepFor(ms, signal);
  }
}

/**
 * The message a run ends with when a broken turn could not be completed.
 *
 * @param error - The last failure.
 * @param retries - The new attempts that were made.
 * @returns The error the run reports.
 */
export function turnGaveUp(error: GemmaCoderError, retries: number): GemmaCoderError {
  if (retries === 0) return error;
  return new GemmaCoderError(
    `${error.message} (the turn was asked again ${retries} ${retries === 1 ? "time" : "times"} and broke each time)`,
    {
      code: error.code,
      cause: error,
      isRetryable: false,
      ...(error.provider === undefined ? {} : { provider: error.provider }),
      ...(error.status === undefined ? {} : { status: error.status }),
    },
  );
}

function sleepWithSignal(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** What {@link restartBrokenTurn} needs from the run. */
export interface BrokenTurn {
  /** The run's retry counter. */
  retry: TurnRetry;
  /** The run. */
  runId: string;
  /** The step whose stream broke. */
  step: number;
  /** Why it broke. */
  error: GemmaCoderError;
  /** The text the turn streamed before it broke. */
  withdrawn: string;
  /** The run's signal. */
  signal: AbortSignal;
  /** Emits the `turn-restart` event. */
  emit(event: AgentEventMap["turn-restart"]): void;
  /** Records the restart in the transcript, so a resume or replay sees it too. */
  record(message: string): Promise<unknown>;
}

/**
 * Handles a turn whose stream broke: when the reply had started and a retry remains, the
 * partial text is withdrawn (event and transcript notice), the backoff is waited out, and
 * the caller asks the same turn again. A stream that broke before any text is left to
 * the provider's own retries, so a server that is down is not asked retries × retries
 * times.
 *
 * @param turn - The broken turn and how to report it.
 * @returns `true` when the caller should ask the turn again.
 */
export async function restartBrokenTurn(turn: BrokenTurn): Promise<boolean> {
  if (turn.withdrawn === "") return false;
  const decision = turn.retry.next(turn.step, turn.error);
  if (!decision.retry) return false;
  turn.emit({
    runId: turn.runId,
    step: turn.step,
    attempt: decision.attempt,
    retries: decision.retries,
    reason: { code: turn.error.code, message: turn.error.message },
    withdrawn: turn.withdrawn,
    delayMs: decision.delayMs,
  });
  await turn.record(
    `The reply broke off (${turn.error.message}); its text was withdrawn and the turn is asked again (retry ${decision.attempt} of ${decision.retries}).`,
  );
  await turn.retry.wait(decision.delayMs, turn.signal);
  return true;
}
