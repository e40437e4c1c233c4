import { GemmaCoderError, type NoticePart, type StreamPart } from "@gemma-coder/core";
import { abortError } from "@gemma-coder/core/internal";
import { withSuffix } from "./errors.js";
import type { ResolvedRetry, SleepFunction } from "./options.js";

/** What the retry loop decided about one failure. */
export interface RetryDecision {
  /** Whether to try again. */
  retry: boolean;
  /** How long to wait first; the policy's backoff when absent. */
  delayMs?: number;
  /** Whether the retry uses up one of `maxRetries`. Default `true`. */
  countsAsRetry?: boolean;
  /** Replaces the default notice text. */
  message?: string;
  /** Extra data for the notice. */
  data?: Record<string, unknown>;
}

/** Where the retry loop stands when it asks a provider about a failure. */
export interface RetryState {
  /** Zero-based index of the attempt that failed. */
  attempt: number;
  /** Retries counted against `maxRetries` so far. */
  retriesUsed: number;
  /** Milliseconds already spent waiting between attempts of this call. */
  waitedMs: number;
}

/** A provider hook that overrides the default decision for one failure. */
export type DecideRetry = (error: GemmaCoderError, state: RetryState) => RetryDecision | undefined;

/** What both retry loops need. */
export interface RetryLoopOptions {
  /** Provider id, for notices. */
  provider: string;
  /** The policy. */
  policy: ResolvedRetry;
  /** Backoff sleep. */
  sleep: SleepFunction;
  /** Jitter source in [0, 1). */
  random: () => number;
  /** Cancels the waits. */
  signal?: AbortSignal | undefined;
  /** The provider's own decisions (fallback models, a server still loading). */
  decide?: DecideRetry;
  /**
   * The longest the call waits for its reply to start, over every attempt and backoff
   * (`timeouts.totalMs`); `0`, `Infinity` or absent: no bound.
   */
  totalMs?: number;
}

/**
 * The total deadline of one call: a signal that fires when the call has waited
 * `totalMs` for its reply to start, combined with the caller's signal. Each attempt and
 * each backoff wait runs under it, so the bound holds however many retries there are.
 */
class CallDeadline {
  /** The signal attempts and waits run under. */
  readonly signal: AbortSignal | undefined;
  /** Attempts started so far, for the message. */
  attempts = 0;
  private readonly timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    provider: string,
    totalMs: number | undefined,
    callerSignal: AbortSignal | undefined,
  ) {
    if (totalMs === undefined || !(totalMs > 0) || !Number.isFinite(totalMs)) {
      this.signal = callerSignal;
      return;
    }
    const controller = new AbortController();
    this.timer = setTimeout(() => {
      const tries = this.attempts === 1 ? "1 attempt" : `${this.attempts} attempts`;
      controller.abort(
        new GemmaCoderError(
          `${provider}: no reply within ${totalMs} ms in total (${tries}; timeouts.totalMs). The server accepts requests but does not answer: check that it is not stuck or overloaded, or raise the limit.`,
          { code: "provider-timeout", isRetryable: false, provider },
        ),
      );
    }, totalMs);
    this.signal = callerSignal
      ? AbortSignal.any([callerSignal, controller.signal])
      : controller.signal;
  }

  /** Stops the clock: the reply has started, or the call is over. */
  clear(): void {
    clearTimeout(this.timer);
  }
}

/**
 * The backoff before retry number `retryIndex` (zero-based): `baseDelayMs * 2^n`, capped
 * at `maxDelayMs`, then scaled into its upper half by jitter so that many clients do
 * not retry in lockstep.
 *
 * @param policy - The retry policy.
 * @param retryIndex - How many retries came before.
 * @param random - Jitter source in [0, 1).
 * @returns Milliseconds to wait.
 */
export function backoffDelay(
  policy: ResolvedRetry,
  retryIndex: number,
  random: () => number,
): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retryIndex);
  return Math.round(exponential / 2 + (exponential / 2) * random());
}

/**
 * The default decision: retry a retryable error while retries remain, waiting for the
 * server's `Retry-After` when it gave one (and giving up at once if it asks for more
 * than `maxRetryAfterMs`), else for the backoff.
 *
 * @param error - The failure.
 * @param retriesUsed - Retries already spent.
 * @param options - The loop's options.
 * @returns The decision.
 */
export function defaultRetryDecision(
  error: GemmaCoderError,
  retriesUsed: number,
  options: Pick<RetryLoopOptions, "policy" | "random">,
): RetryDecision {
  if (!error.isRetryable || retriesUsed >= options.policy.maxRetries) return { retry: false };
  if (error.retryAfterSeconds !== undefined) {
    const delayMs = error.retryAfterSeconds * 1000;
    if (delayMs > options.policy.maxRetryAfterMs) return { retry: false };
    return { retry: true, delayMs };
  }
  return { retry: true, delayMs: backoffDelay(options.policy, retriesUsed, options.random) };
}

interface Step {
  decision: RetryDecision;
  delayMs: number;
  error: GemmaCoderError;
}

function decideStep(error: unknown, state: RetryState, options: RetryLoopOptions): Step {
  if (!GemmaCoderError.isInstance(error)) throw error;
  if (error.code === "aborted") throw error;
  if (options.signal?.aborted) throw abortError(options.signal);
  const decision =
    options.decide?.(error, state) ?? defaultRetryDecision(error, state.retriesUsed, options);
  if (!decision.retry) {
    if (error.isRetryable && state.retriesUsed > 0) {
      throw withSuffix(error, `(gave up after ${state.retriesUsed} ${plural(state.retriesUsed)}.)`);
    }
    throw error;
  }
  const delayMs =
    decision.delayMs ?? backoffDelay(options.policy, state.retriesUsed, options.random);
  return { decision, delayMs, error };
}

function retryNotice(step: Step, state: RetryState, provider: string): NoticePart {
  const seconds = (step.delayMs / 1000).toFixed(1);
  return {
    type: "notice",
    kind: "retry",
    message:
      step.decision.message ??
      `${withProvider(step.error.message, provider)} Retrying in ${seconds} s (attempt ${state.attempt + 2}).`,
    data: {
      attempt: state.attempt + 2,
      delayMs: step.delayMs,
      code: step.error.code,
      status: step.error.status,
      ...step.decision.data,
    },
  };
}

/**
 * Runs a streaming call with retries. Each attempt is a fresh stream; a failed attempt
 * is retried only if it had not yet delivered any text to the caller, so text is never
 * duplicated. Before each retry the loop yields a `retry` notice. Until text arrives the
 * call is bounded by `totalMs` over all its attempts.
 *
 * @param attempt - Starts attempt number `n` (zero-based) under `signal` (the caller's
 *   signal combined with the total deadline; an attempt should send its request with it).
 * @param options - Policy, sleep, signal and the provider's hook.
 * @returns The parts of the attempt that succeeded, preceded by any notices.
 */
export async function* streamWithRetries(
  attempt: (n: number, signal: AbortSignal | undefined) => AsyncIterable<StreamPart>,
  options: RetryLoopOptions,
): AsyncGenerator<StreamPart> {
  const deadline = new CallDeadline(options.provider, options.totalMs, options.signal);
  const bounded = { ...options, signal: deadline.signal };
  let retriesUsed = 0;
  let waitedMs = 0;
  try {
    for (let n = 0; ; n++) {
      let delivered = false;
      deadline.attempts = n + 1;
      try {
        for await (const part of attempt(n, deadline.signal)) {
          if (!delivered && part.type === "text-delta" && part.text.length > 0) {
            delivered = true;
            deadline.clear();
          }
          yield part;
        }
        return;
      } catch (error) {
        if (delivered) throw error;
        const state = { attempt: n, retriesUsed, waitedMs };
        const step = decideStep(error, state, bounded);
        if (step.decision.countsAsRetry !== false) retriesUsed++;
        waitedMs += step.delayMs;
        yield retryNotice(step, state, options.provider);
        await options.sleep(step.delayMs, deadline.signal);
      }
    }
  } finally {
    deadline.clear();
  }
}

/**
 * Runs a one-shot call (JSON endpoints) with the same retry rules as
 * {@link streamWithRetries}, without notices, bounded by `totalMs` as a whole.
 *
 * @param run - One attempt, under the caller's signal combined with the total deadline.
 * @param options - Policy, sleep, signal and the provider's hook.
 * @returns The first successful result.
 */
export async function retryAsync<T>(
  run: (signal: AbortSignal | undefined) => Promise<T>,
  options: RetryLoopOptions,
): Promise<T> {
  const deadline = new CallDeadline(options.provider, options.totalMs, options.signal);
  const bounded = { ...options, signal: deadline.signal };
  let retriesUsed = 0;
  let waitedMs = 0;
  try {
    for (let n = 0; ; n++) {
      deadline.attempts = n + 1;
      try {
        return await run(deadline.signal);
      } catch (error) {
        const step = decideStep(error, { attempt: n, retriesUsed, waitedMs }, bounded);
        if (step.decision.countsAsRetry !== false) retriesUsed++;
        waitedMs += step.delayMs;
        await options.sleep(step.delayMs, deadline.signal);
      }
    }
  } finally {
    deadline.clear();
  }
}

function withProvider(message: string, provider: string): string {
  return message.startsWith(`${provider}:`) ? message : `${provider}: ${message}`;
}

function plural(count: number): string {
  return count === 1 ? "retry" : "retries";
}
