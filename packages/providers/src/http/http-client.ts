import { GemmaCoderError } from "@gemma-coder/core";
import { abortError } from "@gemma-coder/core/internal";
import type { Agent, Dispatcher } from "undici";
import {
  type DescribeHttpError,
  extractServerMessage,
  httpError,
  networkError,
  parseRetryAfter,
  streamError,
  timeoutError,
} from "./errors.js";
import type {
  FetchFunction,
  FetchInit,
  ResolvedRetry,
  ResolvedTimeouts,
  SleepFunction,
} from "./options.js";
import { type DecideRetry, type RetryLoopOptions, retryAsync } from "./retry.js";

// undici is loaded on first use: a caller that passes its own `fetch` (the CLI does)
// never pays its start-up cost (~11 MB and ~100 ms on a small machine). Where it cannot
// load (browsers, edge workers, Deno without npm, a bundle that left it out) the global
// `fetch` serves instead. The specifier is not a literal so bundlers do not pull undici
// (and its Node built-ins) into a browser bundle.
let undici: Promise<typeof import("undici") | undefined> | undefined;
const UNDICI: string = "undici";
const loadUndici = () => {
  undici ??= (
    import(/* @vite-ignore */ /* webpackIgnore: true */ UNDICI) as Promise<typeof import("undici")>
  ).catch(() => undefined);
  return undici;
};

/** Everything an {@link HttpClient} needs. */
export interface HttpClientConfig {
  /** Provider id, used in error messages. */
  provider: string;
  /** Base URL; request paths are appended to it. */
  baseUrl: string;
  /** Headers for every request, computed per request (so a key can be read late). */
  headers: () => Record<string, string>;
  /** A fetch to use instead of undici's. */
  fetch?: FetchFunction;
  /** A dispatcher the caller owns. */
  dispatcher?: Dispatcher;
  /** Timeouts. */
  timeouts: ResolvedTimeouts;
  /** Retry policy for {@link HttpClient.json}. */
  retry: ResolvedRetry;
  /** Backoff sleep. */
  sleep: SleepFunction;
  /** Jitter source. */
  random: () => number;
  /** Refines HTTP error classification. */
  describeError?: DescribeHttpError;
  /** Appended to connection errors, e.g. how to start the server. */
  connectionHint?: string;
  /** The provider's retry decisions (a server still loading its model). */
  decideRetry?: DecideRetry;
}

/** One request to send. */
export interface RequestSpec {
  /** HTTP method. */
  method: "GET" | "POST";
  /** Path below the base URL, starting with `/`. */
  path: string;
  /** A JSON-serialisable body. */
  body?: unknown;
  /** Cancels the request. */
  signal?: AbortSignal | undefined;
}

/** A response whose headers arrived with a 2xx status, its body still to read. */
export interface OpenResponse {
  /** HTTP status. */
  readonly status: number;
  /** Response headers. */
  readonly headers: { get(name: string): string | null };
  /**
   * The body chunks. Waiting for the first chunk counts against the first-byte
   * timeout, waiting for each later one against the idle timeout; time the caller
   * spends between reads does not count. Errors are {@link GemmaCoderError}s.
   */
  chunks(): AsyncGenerator<Uint8Array>;
  /** Aborts the exchange (idempotent); the socket is destroyed unless the body was read to its end. */
  close(): void;
}

const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * The one HTTP layer under every provider: URL joining, headers, JSON bodies, the
 * connect/first-byte/idle timeouts, caller aborts, and turning every failure into a
 * {@link GemmaCoderError} with a code, status and retry flag.
 */
export class HttpClient {
  private ownedAgent: Agent | undefined;
  private disposed = false;

  /**
   * Creates a client.
   *
   * @param config - Provider id, base URL, timeouts and hooks.
   */
  constructor(readonly config: HttpClientConfig) {}

  /**
   * Joins a path to the base URL.
   *
   * @param path - A path starting with `/`.
   * @returns The full URL.
   */
  url(path: string): string {
    return this.config.baseUrl.replace(/\/+$/, "") + path;
  }

  // long-function: one request attempt with its timeouts, retries and error classification, in the order they happen
  /**
   * Sends a request and waits for a 2xx response's headers. A non-2xx response is
   * read (up to 64 KiB) and thrown as a classified error.
   *
   * @param spec - The request.
   * @returns The open response.
   */
  async open(spec: RequestSpec): Promise<OpenResponse> {
    const { provider, timeouts } = this.config;
    if (this.disposed) {
      throw new GemmaCoderError(`${provider}: the provider was disposed.`, {
        code: "invalid-argument",
        provider,
      });
    }
    const signal = spec.signal;
    if (signal?.aborted) throw abortError(signal);

    const url = this.url(spec.path);
    const controller = new AbortController();
    let failure: GemmaCoderError | undefined;
    let closed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const clearTimer = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };
    const arm = (phase: "first-byte" | "idle") => {
      clearTimer();
      const ms = phase === "first-byte" ? timeouts.firstByteMs : timeouts.idleMs;
      if (!(ms > 0) || !Number.isFinite(ms)) return;
      timer = setTimeout(() => {
        failure = timeoutError({ provider, url, phase, ms });
        controller.abort(failure);
      }, ms);
    };
    const onCallerAbort = () => controller.abort(abortError(signal));
    signal?.addEventListener("abort", onCallerAbort, { once: true });
    const release = () => {
      clearTimer();
      signal?.removeEventListener("abort", onCallerAbort);
    };
    const translate = (error: unknown, stage: "request" | "body"): GemmaCoderError => {
      release();
      if (signal?.aborted) return abortError(signal);
      if (failure) return failure;
      if (GemmaCoderError.isInstance(error)) return error;
      const options: Parameters<typeof networkError>[0] = {
        provider,
        url,
        cause: error,
        stage,
        connectMs: timeouts.connectMs,
      };
      if (this.config.connectionHint) options.hint = this.config.connectionHint;
      return networkError(options);
    };

    const headers: Record<string, string> = { accept: "application/json, text/event-stream" };
    Object.assign(headers, this.config.headers());
    const init: FetchInit & { dispatcher?: Dispatcher } = {
      method: spec.method,
      headers,
      signal: controller.signal,
    };
    if (spec.body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(spec.body);
    }
    arm("first-byte");
    let response: Awaited<ReturnType<FetchFunction>>;
    try {
      const dispatcher = await this.dispatcher();
      if (dispatcher) init.dispatcher = dispatcher;
      response = await (await this.fetchImpl())(url, init);
    } catch (error) {
      throw translate(error, "request");
    }

    const reader = response.body?.getReader();
    const readChunk = async (): Promise<
      { done: true; value?: undefined } | { done: false; value: Uint8Array }
    > => {
      if (!reader) return { done: true, value: undefined };
      try {
        const result = await reader.read();
        return result.done ? { done: true } : { done: false, value: result.value };
      } catch (error) {
        throw translate(error, "body");
      }
    };

    if (response.status < 200 || response.status >= 300) {
      let text = "";
      try {
        const decoder = new TextDecoder();
        let size = 0;
        for (;;) {
          const { done, value } = await readChunk();
          if (done) break;
          text += decoder.decode(value, { stream: true });
          size += value.byteLength;
          if (size >= MAX_ERROR_BODY_BYTES) break;
        }
        text += decoder.decode();
      } catch (error) {
        // A reset while reading the error body still leaves a usable status; an abort does not.
        if (GemmaCoderError.isInstance(error) && error.code === "aborted") throw error;
      } finally {
        release();
        controller.abort();
      }
      const extracted = extractServerMessage(text);
      const info: Parameters<typeof httpError>[0] = {
        provider,
        status: response.status,
        method: spec.method,
        url,
        serverMessage: extracted.message,
      };
      if (extracted.json !== undefined) info.json = extracted.json;
      if (extracted.errorType !== undefined) info.errorType = extracted.errorType;
      const retryAfter = parseRetryAfter(response.headers.get("retry-after"), Date.now());
      if (retryAfter !== undefined) info.retryAfterSeconds = retryAfter;
      throw httpError(info, this.config.describeError);
    }

    let received = false;
    const close = () => {
      if (closed) return;
      closed = true;
      release();
      controller.abort(new GemmaCoderError("The consumer closed the stream.", { code: "aborted" }));
      reader?.cancel().catch(() => {});
    };
    return {
      status: response.status,
      headers: response.headers,
      chunks: async function* () {
        for (;;) {
          if (received) arm("idle");
          const result = await readChunk();
          clearTimer();
          if (result.done) {
            release();
            return;
          }
          if (result.value.byteLength === 0) continue;
          received = true;
          yield result.value;
        }
      },
      close,
    };
  }

  /**
   * Sends a request, reads the whole body and parses it as JSON, retrying retryable
   * failures with backoff.
   *
   * @param spec - The request.
   * @param options - `retry: false` for a single attempt (health checks).
   * @returns The parsed body.
   */
  async json<T = unknown>(spec: RequestSpec, options: { retry?: boolean } = {}): Promise<T> {
    const once = async (signal: AbortSignal | undefined = spec.signal): Promise<T> => {
      const response = await this.open({ ...spec, signal });
      try {
        const decoder = new TextDecoder();
        let text = "";
        for await (const chunk of response.chunks())
          text += decoder.decode(chunk, { stream: true });
        text += decoder.decode();
        try {
          return JSON.parse(text) as T;
        } catch (error) {
          throw streamError(
            this.config.provider,
            `${spec.method} ${this.url(spec.path)} answered with a body that is not JSON: ${text.slice(0, 200)}`,
            { cause: error, isRetryable: false, code: "provider-http", status: response.status },
          );
        }
      } finally {
        response.close();
      }
    };
    if (options.retry === false) return once();
    return retryAsync(once, this.retryOptions(spec.signal));
  }

  /**
   * The retry loop options for a call: the client's policy, sleep, jitter and hook.
   *
   * @param signal - The call's signal.
   * @returns Options for `streamWithRetries` or `retryAsync`.
   */
  retryOptions(signal: AbortSignal | undefined): RetryLoopOptions {
    const options: RetryLoopOptions = {
      provider: this.config.provider,
      policy: this.config.retry,
      sleep: this.config.sleep,
      random: this.config.random,
      signal,
      totalMs: this.config.timeouts.totalMs,
    };
    if (this.config.decideRetry) options.decide = this.config.decideRetry;
    return options;
  }

  /** Closes the connection pool the client created; a caller's dispatcher is left open. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const agent = this.ownedAgent;
    this.ownedAgent = undefined;
    if (agent) await agent.destroy();
  }

  private async fetchImpl(): Promise<FetchFunction> {
    if (this.config.fetch) return this.config.fetch;
    const loaded = await loadUndici();
    if (loaded) return loaded.fetch as unknown as FetchFunction;
    if (typeof globalThis.fetch === "function") return globalThis.fetch as unknown as FetchFunction;
    throw new GemmaCoderError(
      `${this.config.provider}: no fetch is available here (undici did not load and there is no global fetch); pass \`fetch\` in the provider's options.`,
      { code: "unsupported", provider: this.config.provider },
    );
  }

  private async dispatcher(): Promise<Dispatcher | undefined> {
    if (this.config.dispatcher) return this.config.dispatcher;
    if (this.config.fetch) return undefined;
    if (!this.ownedAgent) {
      const connectMs = this.config.timeouts.connectMs;
      const loaded = await loadUndici();
      // On the global fetch there is no pool to configure: the client's own timeouts apply.
      if (!loaded) return undefined;
      const { Agent: UndiciAgent } = loaded;
      // A concurrent request may have created the pool while this one waited for the import.
      if (this.ownedAgent) return this.ownedAgent;
      this.ownedAgent = new UndiciAgent({
        connect: { timeout: connectMs > 0 && Number.isFinite(connectMs) ? connectMs : 0 },
        // The client applies its own first-byte and idle timeouts; undici's must not cut in first.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
    }
    return this.ownedAgent;
  }
}
