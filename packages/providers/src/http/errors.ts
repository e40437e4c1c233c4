import { type ErrorCode, GemmaCoderError } from "@gemma-coder/core";

/** What a provider knows about a failed HTTP response. */
export interface HttpErrorInfo {
  /** Provider id. */
  provider: string;
  /** HTTP status. */
  status: number;
  /** Method and URL of the request, for the message. */
  method: string;
  /** The URL. */
  url: string;
  /** The server's own message, extracted from its error body. */
  serverMessage: string;
  /** The `error.type` (or string `error.code`) of a JSON error body, when present. */
  errorType?: string;
  /** The parsed JSON body, when it was JSON. */
  json?: unknown;
  /** Seconds from `Retry-After`, when present. */
  retryAfterSeconds?: number;
}

/** How a provider adjusts the default classification of an HTTP error. */
export interface ErrorOverride {
  /** A different code. */
  code?: ErrorCode;
  /** A different retry flag. */
  isRetryable?: boolean;
  /** A sentence appended to the message: what the user can do. */
  hint?: string;
}

/** A provider hook that refines the classification of an HTTP error. */
export type DescribeHttpError = (info: HttpErrorInfo) => ErrorOverride | undefined;

const CONTEXT_PATTERN =
  /exceed_context_size|exceeds? the (available )?context|context (length|size|window)|maximum context|too many tokens|prompt is too long/i;

/**
 * Classifies an HTTP error response as a {@link GemmaCoderError}: 401/403 are auth
 * errors, 404 naming a model is `model-not-found`, 408 a timeout, 429 `rate-limited`,
 * a context-size complaint `context-overflow`, and 5xx (but 501/505) retryable.
 *
 * @param info - The response.
 * @param describe - The provider's refinement.
 * @returns The error to throw.
 */
export function httpError(info: HttpErrorInfo, describe?: DescribeHttpError): GemmaCoderError {
  const base = defaultClassification(info);
  const override = describe?.(info) ?? {};
  const code = override.code ?? base.code;
  const isRetryable = override.isRetryable ?? base.isRetryable;
  const hint = override.hint ?? base.hint;
  let message = `${info.provider}: HTTP ${info.status} from ${info.method} ${info.url}: ${info.serverMessage}`;
  if (hint) message += ` ${hint}`;
  if (info.retryAfterSeconds !== undefined) {
    message += ` (Retry-After: ${info.retryAfterSeconds} s)`;
  }
  const options: ConstructorParameters<typeof GemmaCoderError>[1] = {
    code,
    isRetryable,
    status: info.status,
    provider: info.provider,
  };
  if (info.retryAfterSeconds !== undefined) options.retryAfterSeconds = info.retryAfterSeconds;
  return new GemmaCoderError(message, options);
}

function defaultClassification(info: HttpErrorInfo): Required<Omit<ErrorOverride, "hint">> & {
  hint?: string;
} {
  const { status, serverMessage, errorType } = info;
  const text = `${errorType ?? ""} ${serverMessage}`;
  if (CONTEXT_PATTERN.test(text) && status >= 400 && status < 500) {
    return {
      code: "context-overflow",
      isRetryable: false,
      hint: "The prompt does not fit in the model's context window: shorten the conversation or raise the context size.",
    };
  }
  if (status === 401 || status === 403) {
    return { code: "provider-auth", isRetryable: false, hint: "Check the API key." };
  }
  if (status === 404) {
    if (/model/i.test(serverMessage)) return { code: "model-not-found", isRetryable: false };
    return {
      code: "provider-http",
      isRetryable: false,
      hint: "Check that baseUrl points at the right server.",
    };
  }
  if (status === 408) return { code: "provider-timeout", isRetryable: true };
  if (status === 429) return { code: "rate-limited", isRetryable: true };
  if (status >= 500 && status !== 501 && status !== 505) {
    return { code: "provider-http", isRetryable: true };
  }
  return { code: "provider-http", isRetryable: false };
}

/**
 * Pulls the human-readable message out of an error body: `{"error": "..."}` (Ollama),
 * `{"error": {"message": "..."}}` (OpenAI shape, llama.cpp, OpenRouter), `{"message"}`,
 * `{"detail"}`, or the raw text.
 *
 * @param body - The response body.
 * @returns The message, the parsed JSON and the error type when there is one.
 */
export function extractServerMessage(body: string): {
  message: string;
  json?: unknown;
  errorType?: string;
} {
  const trimmed = body.trim();
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return { message: truncate(trimmed) || "(empty response body)" };
  }
  const found = messageFromJson(json);
  const result: { message: string; json?: unknown; errorType?: string } = {
    message: truncate(found.message ?? trimmed),
    json,
  };
  if (found.type !== undefined) result.errorType = found.type;
  return result;
}

/**
 * Reads the message and type from a JSON error value, as servers nest it.
 *
 * @param json - A parsed error body or stream chunk.
 * @returns What was found.
 */
export function messageFromJson(json: unknown): { message?: string; type?: string } {
  if (!isRecord(json)) return {};
  const error = json.error;
  if (typeof error === "string") return { message: error };
  if (isRecord(error)) {
    const result: { message?: string; type?: string } = {};
    if (typeof error.message === "string") {
      result.message = error.message;
      const raw = isRecord(error.metadata) ? error.metadata.raw : undefined;
      if (typeof raw === "string" && raw.length > 0 && !error.message.includes(raw)) {
        result.message += ` (${truncate(raw, 300)})`;
      }
    }
    if (typeof error.type === "string") result.type = error.type;
    else if (typeof error.code === "string") result.type = error.code;
    return result;
  }
  if (typeof json.message === "string") return { message: json.message };
  if (typeof json.detail === "string") return { message: json.detail };
  return {};
}

/**
 * Parses a `Retry-After` header: delay seconds or an HTTP date.
 *
 * @param value - The header value.
 * @param nowMs - The current time, for the date form.
 * @returns Whole seconds to wait, or `undefined` when absent or unreadable.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text));
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - nowMs) / 1000));
}

const RETRYABLE_NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  // Bun's fetch names its socket failures in words.
  "ConnectionRefused",
  "ConnectionClosed",
  "FailedToOpenSocket",
]);

/** System error numbers (`ECONNREFUSED`, `ENOTFOUND`, `EAI_AGAIN`, ...): the OS refused, reset or could not resolve. */
const SYSTEM_ERRNO = /^E(AI_)?[A-Z]+$/;
/** TLS failures: the server was reached but no secure connection could be set up. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/;
/**
 * What fetch implementations without error codes say when the network fails: browsers
 * (`Failed to fetch`, `NetworkError when attempting to fetch resource.`, `Load failed`),
 * Deno (`error sending request`, `error trying to connect`) and undici (`fetch failed`).
 */
const NETWORK_MESSAGE =
  /^(failed to fetch|networkerror when attempting to fetch resource\.?|load failed|fetch failed|network error)$|error sending request|error trying to connect/i;

/**
 * Finds the system or undici error code in an error's cause chain.
 *
 * @param error - A thrown value.
 * @returns The first `code` string found.
 */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && isRecord(current); depth++) {
    if (typeof current.code === "string") return current.code;
    current = current.cause;
  }
  return undefined;
}

/** How a failure below HTTP is classified: the network failed, the URL is bad, or something else broke. */
export type FailureKind = "network" | "invalid-url" | "unexpected";

/**
 * Tells a network failure (refused, reset, DNS, timeout, TLS, a fetch that names only
 * the network) from a bad URL and from everything else: a bug, a broken install or a
 * bundler that cannot load the HTTP client is not a network failure.
 *
 * @param cause - What the fetch or the body read threw.
 * @returns The kind of failure.
 */
export function classifyFailure(cause: unknown): FailureKind {
  const code = networkErrorCode(cause);
  if (code !== undefined) {
    if (code === "ERR_INVALID_URL") return "invalid-url";
    if (RETRYABLE_NETWORK_CODES.has(code) || SYSTEM_ERRNO.test(code) || TLS_CODE.test(code)) {
      return "network";
    }
    return "unexpected";
  }
  let current: unknown = cause;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current.name === "TypeError" && NETWORK_MESSAGE.test(current.message)) return "network";
    current = current.cause;
  }
  return "unexpected";
}

function innermostMessage(error: unknown): string {
  let current: unknown = error;
  let message = "";
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    message = current.message;
    current = current.cause;
  }
  return message || String(error);
}

/**
 * Classifies a failure below HTTP by its real cause. A refused or reset connection,
 * a DNS failure, a TLS failure or a connect timeout is a network failure
 * (`provider-connection`, `provider-timeout`, or `provider-stream` while the body
 * streams); an invalid URL is `config`; anything else is `internal`, with the cause
 * attached and a message that says what failed, never "could not reach".
 *
 * @param options - Where it happened.
 * @returns The error to throw.
 */
export function networkError(options: {
  provider: string;
  url: string;
  cause: unknown;
  stage: "request" | "body";
  connectMs: number;
  hint?: string;
}): GemmaCoderError {
  const { provider, url, cause, stage } = options;
  const code = networkErrorCode(cause);
  const detail = innermostMessage(cause);
  const origin = safeOrigin(url);
  const label = code ? `${code}: ${detail}` : detail;
  const kind = classifyFailure(cause);
  if (kind === "invalid-url") {
    return new GemmaCoderError(`${provider}: the URL ${url} is not valid (${label}).`, {
      code: "config",
      provider,
      cause,
    });
  }
  if (kind === "unexpected") {
    const what =
      stage === "request" ? `sending the request to ${origin}` : `reading the reply from ${origin}`;
    return new GemmaCoderError(
      `${provider}: ${what} failed with an unexpected error, not a network failure (${label}). The cause is attached.`,
      { code: "internal", provider, cause },
    );
  }
  const isRetryable = code === undefined ? stage === "body" : RETRYABLE_NETWORK_CODES.has(code);
  if (code === "UND_ERR_CONNECT_TIMEOUT") {
    return new GemmaCoderError(
      `${provider}: could not connect to ${origin} within ${options.connectMs} ms (timeouts.connectMs).${options.hint ? ` ${options.hint}` : ""}`,
      { code: "provider-timeout", isRetryable: true, provider, cause },
    );
  }
  if (stage === "body") {
    return new GemmaCoderError(
      `${provider}: the connection to ${origin} broke while the reply was streaming (${label}).`,
      { code: "provider-stream", isRetryable, provider, cause },
    );
  }
  return new GemmaCoderError(
    `${provider}: could not reach ${origin} (${label}).${options.hint ? ` ${options.hint}` : ""}`,
    { code: "provider-connection", isRetryable, provider, cause },
  );
}

/**
 * Builds the error for a first-byte or idle timeout.
 *
 * @param options - Which timeout and its length.
 * @returns A retryable `provider-timeout` error.
 */
export function timeoutError(options: {
  provider: string;
  url: string;
  phase: "first-byte" | "idle";
  ms: number;
}): GemmaCoderError {
  const origin = safeOrigin(options.url);
  const message =
    options.phase === "first-byte"
      ? `${options.provider}: ${origin} sent nothing within ${options.ms} ms of the request (timeouts.firstByteMs).`
      : `${options.provider}: the stream from ${origin} stalled: no data for ${options.ms} ms (timeouts.idleMs).`;
  return new GemmaCoderError(message, {
    code: "provider-timeout",
    isRetryable: true,
    provider: options.provider,
  });
}

/**
 * Builds the error for a stream the provider cannot read: a malformed line, an error
 * reported inside a 200 stream, or a stream that ended before its final event.
 *
 * @param provider - Provider id.
 * @param message - What went wrong (without the provider prefix).
 * @param options - Retry flag, code and cause.
 * @returns The error to throw.
 */
export function streamError(
  provider: string,
  message: string,
  options: { isRetryable?: boolean; code?: ErrorCode; cause?: unknown; status?: number } = {},
): GemmaCoderError {
  const errorOptions: ConstructorParameters<typeof GemmaCoderError>[1] = {
    code: options.code ?? "provider-stream",
    isRetryable: options.isRetryable ?? true,
    provider,
  };
  if (options.cause !== undefined) errorOptions.cause = options.cause;
  if (options.status !== undefined) errorOptions.status = options.status;
  return new GemmaCoderError(`${provider}: ${message}`, errorOptions);
}

/**
 * Copies an error with a sentence appended, keeping its code and fields.
 *
 * @param error - The original error (kept as the cause).
 * @param suffix - The sentence to add.
 * @returns The new error.
 */
export function withSuffix(error: GemmaCoderError, suffix: string): GemmaCoderError {
  const options: ConstructorParameters<typeof GemmaCoderError>[1] = {
    code: error.code,
    isRetryable: error.isRetryable,
    cause: error,
  };
  if (error.status !== undefined) options.status = error.status;
  if (error.provider !== undefined) options.provider = error.provider;
  if (error.retryAfterSeconds !== undefined) options.retryAfterSeconds = error.retryAfterSeconds;
  return new GemmaCoderError(`${error.message} ${suffix}`, options);
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function truncate(text: string, max = 1000): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

/**
 * Tells whether a value is a plain object.
 *
 * @param value - Anything.
 * @returns `true` for non-null, non-array objects.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
