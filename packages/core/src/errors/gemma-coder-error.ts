const MARKER = Symbol.for("@gemma-coder/error");

/**
 * Every error code the SDK can report. Codes are stable strings that callers can
 * switch on; the message is for humans and may change.
 */
export type ErrorCode =
  | "invalid-argument"
  | "duplicate-tool"
  | "unknown-tool"
  | "busy"
  | "aborted"
  | "timeout"
  | "config"
  | "tool-failed"
  | "rulebook"
  | "script-exhausted"
  | "provider-http"
  | "provider-connection"
  | "provider-timeout"
  | "provider-stream"
  | "provider-auth"
  | "rate-limited"
  | "model-not-found"
  | "context-overflow"
  | "unsupported"
  | "storage"
  | "internal";

/** Options accepted by {@link GemmaCoderError}. */
export interface GemmaCoderErrorOptions {
  /** The stable error code. */
  code: ErrorCode;
  /** Whether repeating the same operation may succeed. Defaults to `false`. */
  isRetryable?: boolean;
  /** HTTP status, when the error came from an HTTP response. */
  status?: number;
  /** Provider id (`"ollama"`, `"openrouter"`, ...), when a provider raised the error. */
  provider?: string;
  /** The underlying error. */
  cause?: unknown;
  /** Seconds the server asked us to wait before retrying (`Retry-After`). */
  retryAfterSeconds?: number;
}

/**
 * The one base class of every error the SDK throws or reports.
 *
 * Use {@link GemmaCoderError.isInstance} rather than `instanceof`: the ESM and CJS
 * builds of a package are different classes, and a marker symbol works across both.
 */
export class GemmaCoderError extends Error {
  /** The stable error code. */
  readonly code: ErrorCode;
  /** Whether repeating the same operation may succeed. */
  readonly isRetryable: boolean;
  /** HTTP status, when the error came from an HTTP response. */
  readonly status: number | undefined;
  /** Provider id, when a provider raised the error. */
  readonly provider: string | undefined;
  /** Seconds the server asked to wait before a retry, when it said so. */
  readonly retryAfterSeconds: number | undefined;
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: read through the symbol by isInstance.
  private readonly [MARKER] = true;

  /**
   * Creates an error.
   *
   * @param message - A sentence a user can act on.
   * @param options - Code, retryability and context.
   */
  constructor(message: string, options: GemmaCoderErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GemmaCoderError";
    this.code = options.code;
    this.isRetryable = options.isRetryable ?? false;
    this.status = options.status;
    this.provider = options.provider;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /**
   * Tells whether a value is a {@link GemmaCoderError}, from any copy of the package.
   *
   * @param value - Anything caught.
   * @returns `true` when the value carries the SDK's error marker.
   */
  static isInstance(value: unknown): value is GemmaCoderError {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as Record<symbol, unknown>)[MARKER] === true
    );
  }
}

/**
 * An error a tool throws to send a short, actionable message to the model. Any
 * other thrown value is also reported to the model, but this one says the
 * message was written for it.
 */
export class ToolError extends GemmaCoderError {
  /**
   * Creates a tool error.
   *
   * @param message - What went wrong and what the model can do about it.
   * @param options - An optional underlying cause.
   */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: "tool-failed", cause: options.cause });
    this.name = "ToolError";
  }
}

/**
 * Turns an abort reason or signal into the SDK's `aborted` error.
 *
 * @param signal - The signal that fired, if any.
 * @returns A {@link GemmaCoderError} with code `aborted`, or the signal's reason when it is already one.
 */
export function abortError(signal?: AbortSignal): GemmaCoderError {
  const reason: unknown = signal?.reason;
  if (GemmaCoderError.isInstance(reason)) return reason;
  return new GemmaCoderError("The operation was aborted.", { code: "aborted", cause: reason });
}

/**
 * Waits for a promise, but no longer than a signal allows: when the signal fires first,
 * the result rejects with {@link abortError} and the promise is left to settle on its
 * own. Use it around work that cannot be cancelled itself (a user prompt, a model load).
 *
 * @param promise - The work.
 * @param signal - The signal; without one the promise is returned as it is.
 * @returns The promise's value, or a rejection with the `aborted` error.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
