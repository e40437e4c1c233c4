import { GemmaCoderError, type StreamPart } from "@gemma-coder/core";
import { describe, expect, it } from "vitest";
import { collect, recordingSleep } from "../testing/collect.js";
import { DEFAULT_RETRY } from "./options.js";
import { backoffDelay, defaultRetryDecision, retryAsync, streamWithRetries } from "./retry.js";

const retryable = (extra: Partial<{ retryAfterSeconds: number; status: number }> = {}) =>
  new GemmaCoderError("boom", { code: "provider-http", isRetryable: true, ...extra });

describe("backoffDelay", () => {
  it("doubles from the base delay, caps at the maximum and jitters within the upper half", () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(policy, 0, () => 0)).toBe(50);
    expect(backoffDelay(policy, 0, () => 0.999999)).toBe(100);
    expect(backoffDelay(policy, 2, () => 0)).toBe(200);
    expect(backoffDelay(policy, 10, () => 0.999999)).toBe(1000);
  });
});

describe("defaultRetryDecision", () => {
  const options = { policy: DEFAULT_RETRY, random: () => 0.5 };

  it("never retries a non-retryable error", () => {
    const error = new GemmaCoderError("bad", { code: "provider-auth", status: 401 });
    expect(defaultRetryDecision(error, 0, options).retry).toBe(false);
  });

  it("waits exactly what Retry-After asks", () => {
    expect(defaultRetryDecision(retryable({ retryAfterSeconds: 7 }), 0, options)).toEqual({
      retry: true,
      delayMs: 7000,
    });
  });

  it("gives up at once when Retry-After is longer than maxRetryAfterMs", () => {
    expect(defaultRetryDecision(retryable({ retryAfterSeconds: 3600 }), 0, options).retry).toBe(
      false,
    );
  });

  it("stops after maxRetries", () => {
    expect(defaultRetryDecision(retryable(), DEFAULT_RETRY.maxRetries, options).retry).toBe(false);
  });
});

describe("streamWithRetries", () => {
  const options = (sleep = recordingSleep()) => ({
    provider: "test",
    policy: { ...DEFAULT_RETRY, maxRetries: 2 },
    sleep,
    random: () => 0.5,
  });

  it("retries a stream that failed before any text and reports each retry as a notice", async () => {
    let calls = 0;
    const sleep = recordingSleep();
    const result = await collect(
      streamWithRetries(async function* (): AsyncGenerator<StreamPart> {
        calls++;
        if (calls < 3) throw retryable();
        yield { type: "text-delta", text: "ok" };
        yield { type: "finish", reason: "stop" };
      }, options(sleep)),
    );
    expect(result.text).toBe("ok");
    expect(result.notices.map((notice) => notice.kind)).toEqual(["retry", "retry"]);
    expect(result.notices[0]?.data).toMatchObject({ attempt: 2, code: "provider-http" });
    expect(result.notices[0]?.message).toBe("test: boom Retrying in 0.4 s (attempt 2).");
    expect(sleep.delays).toEqual([375, 750]);
  });

  it("never retries once text reached the caller", async () => {
    let calls = 0;
    const result = await collect(
      streamWithRetries(async function* (): AsyncGenerator<StreamPart> {
        calls++;
        yield { type: "text-delta", text: "partial" };
        throw retryable();
      }, options()),
    );
    expect(calls).toBe(1);
    expect(result.text).toBe("partial");
    expect(result.error?.message).toBe("boom");
  });

  it("says how many retries it made when it gives up", async () => {
    const result = await collect(
      streamWithRetries(async function* (): AsyncGenerator<StreamPart> {
        yield* [];
        throw retryable();
      }, options()),
    );
    expect(result.error?.message).toContain("gave up after 2 retries");
    expect(result.error?.code).toBe("provider-http");
    expect(result.error?.isRetryable).toBe(true);
  });

  it("lets a provider decide, including retries that do not count", async () => {
    let calls = 0;
    const result = await collect(
      streamWithRetries(
        async function* (): AsyncGenerator<StreamPart> {
          calls++;
          if (calls < 5) throw retryable({ status: 503 });
          yield { type: "finish", reason: "stop" };
        },
        {
          ...options(),
          decide: () => ({ retry: true, delayMs: 1, countsAsRetry: false, message: "loading" }),
        },
      ),
    );
    expect(calls).toBe(5);
    expect(result.finish?.reason).toBe("stop");
    expect(result.notices.every((notice) => notice.message === "loading")).toBe(true);
  });

  it("rethrows errors that are not the SDK's, without retrying", async () => {
    let calls = 0;
    await expect(
      collect(
        streamWithRetries(async function* (): AsyncGenerator<StreamPart> {
          calls++;
          yield* [];
          throw new TypeError("bug");
        }, options()),
      ),
    ).rejects.toThrow("bug");
    expect(calls).toBe(1);
  });

  it("stops waiting when the signal aborts during a backoff", async () => {
    const controller = new AbortController();
    const result = await collect(
      streamWithRetries(
        async function* (): AsyncGenerator<StreamPart> {
          yield* [];
          throw retryable();
        },
        {
          ...options(),
          signal: controller.signal,
          sleep: async () => {
            controller.abort();
            throw new GemmaCoderError("aborted", { code: "aborted" });
          },
        },
      ),
    );
    expect(result.error?.code).toBe("aborted");
  });
});

describe("retryAsync", () => {
  it("retries one-shot calls with the same rules", async () => {
    let calls = 0;
    const sleep = recordingSleep();
    const value = await retryAsync(
      async () => {
        calls++;
        if (calls === 1) throw retryable({ retryAfterSeconds: 2 });
        return 42;
      },
      { provider: "test", policy: DEFAULT_RETRY, sleep, random: () => 0 },
    );
    expect(value).toBe(42);
    expect(sleep.delays).toEqual([2000]);
  });
});
