import { GemmaCoderError } from "@gemma-coder/core";
import type { Dispatcher } from "undici";

/** Timeouts for one HTTP exchange, in milliseconds. `0` or `Infinity` disables one. */
export interface TimeoutOptions {
  /** How long to wait for the TCP (and TLS) connection. Default 10 000. */
  connectMs?: number;
  /**
   * How long to wait from sending the request to the first byte of the body. This
   * covers prompt evaluation, which takes minutes for a long prompt on a small
   * machine, so the default is generous: 300 000.
   */
  firstByteMs?: number;
  /** How long the stream may stay silent between two chunks. Default 60 000. */
  idleMs?: number;
  /**
   * The longest one call waits for its reply to start, across every attempt and the
   * backoff between them. Without it a server that accepts connections and never
   * answers costs `firstByteMs` per attempt (20 minutes with the defaults). Once text
   * arrives the idle timeout takes over. Default 360 000 (one full first-byte wait and
   * a minute of retries).
   */
  totalMs?: number;
}

/** How failed requests are retried. */
export interface RetryOptions {
  /** Retries after the first attempt. Default 3; `0` disables retries. */
  maxRetries?: number;
  /** The first backoff delay; each retry doubles it, with jitter. Default 500. */
  baseDelayMs?: number;
  /** The longest backoff delay. Default 8 000. */
  maxDelayMs?: number;
  /**
   * The longest `Retry-After` the provider will wait for. A server asking for more
   * gets its error thrown at once (with `retryAfterSeconds` set) so the caller can
   * decide. Default 60 000.
   */
  maxRetryAfterMs?: number;
}

/** Waits `ms` milliseconds, rejecting early when `signal` aborts. */
export type SleepFunction = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The request options the providers pass to {@link FetchFunction}. */
export interface FetchInit {
  /** HTTP method. */
  method: string;
  /** Request headers. */
  headers: Record<string, string>;
  /** A JSON body. */
  body?: string;
  /** Aborts the request and its body. */
  signal: AbortSignal;
}

/** The part of a fetch `Response` the providers use. */
export interface FetchResponse {
  /** HTTP status. */
  readonly status: number;
  /** Response headers. */
  readonly headers: { get(name: string): string | null };
  /** The body stream. */
  readonly body: ReadableStream<Uint8Array> | null;
}

/**
 * A fetch implementation. The global `fetch` fits; the default is undici's, with a
 * connection pool the provider owns and closes in `dispose()`.
 */
export type FetchFunction = (url: string, init: FetchInit) => Promise<FetchResponse>;

/** Options every HTTP provider accepts. */
export interface HttpProviderOptions {
  /** The server's base URL. Each provider documents its default. */
  baseUrl?: string;
  /** Extra headers sent with every request. */
  headers?: Readonly<Record<string, string>>;
  /** A fetch implementation to use instead of undici's (tests, proxies, other runtimes). */
  fetch?: FetchFunction;
  /**
   * An undici dispatcher (an `Agent`, `ProxyAgent`, `MockAgent`, ...). The provider does
   * not close a dispatcher it was given. Without one it creates an `Agent` that
   * applies {@link TimeoutOptions.connectMs} and closes it in `dispose()`.
   */
  dispatcher?: Dispatcher;
  /** Connect, first-byte and idle timeouts. */
  timeouts?: TimeoutOptions;
  /** Retry policy. */
  retry?: RetryOptions;
  /** Replaces the backoff sleep, so tests need not wait. */
  sleep?: SleepFunction;
  /** Replaces `Math.random` for backoff jitter, so tests are deterministic. */
  random?: () => number;
}

/** Timeouts with every field set. */
export type ResolvedTimeouts = Required<TimeoutOptions>;
/** Retry policy with every field set. */
export type ResolvedRetry = Required<RetryOptions>;

/** The default timeouts. */
export const DEFAULT_TIMEOUTS: Readonly<ResolvedTimeouts> = Object.freeze({
  connectMs: 10_000,
  firstByteMs: 300_000,
  idleMs: 60_000,
  totalMs: 360_000,
});

/**
 * The longest delay Node's timers hold (2^31 - 1 ms, about 24.8 days); a longer one
 * fires at once.
 */
const MAX_TIMER_MS = 2_147_483_647;

/** The default retry policy. */
export const DEFAULT_RETRY: Readonly<ResolvedRetry> = Object.freeze({
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
});

/**
 * Fills in the default timeouts and checks them.
 *
 * @param options - What the caller set.
 * @returns Every timeout.
 * @throws GemmaCoderError `config` for a timeout Node's timers cannot hold (over about 24.8
 *   days; `0` and `Infinity` disable one) or one that is not a number.
 */
export function resolveTimeouts(options: TimeoutOptions | undefined): ResolvedTimeouts {
  const resolved = { ...DEFAULT_TIMEOUTS, ...stripUndefined(options) };
  for (const [name, ms] of Object.entries(resolved)) {
    if (ms === Number.POSITIVE_INFINITY || (ms >= 0 && ms <= MAX_TIMER_MS)) continue;
    throw new GemmaCoderError(
      `timeouts.${name} ${ms} ms is ${ms > MAX_TIMER_MS ? "longer than the longest timer Node.js can hold (2147483647 ms, about 24.8 days); use Infinity or 0 for no limit" : "not a duration in milliseconds"}.`,
      { code: "config" },
    );
  }
  return resolved;
}

/**
 * Fills in the default retry policy.
 *
 * @param options - What the caller set.
 * @returns Every retry setting.
 */
export function resolveRetry(options: RetryOptions | undefined): ResolvedRetry {
  return { ...DEFAULT_RETRY, ...stripUndefined(options) };
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as Partial<T>;
}
