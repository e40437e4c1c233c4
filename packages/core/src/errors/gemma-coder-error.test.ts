import { describe, expect, it } from "vitest";
import { abortError, GemmaCoderError, ToolError, untilAborted } from "./gemma-coder-error.js";

describe("GemmaCoderError", () => {
  it("carries code, retryability, status, provider and cause", () => {
    const cause = new Error("econnreset");
    const error = new GemmaCoderError("boom", {
      code: "provider-http",
      isRetryable: true,
      status: 503,
      provider: "ollama",
      cause,
      retryAfterSeconds: 2,
    });
    expect(error).toMatchObject({
      code: "provider-http",
      isRetryable: true,
      status: 503,
      provider: "ollama",
      retryAfterSeconds: 2,
    });
    expect(error.cause).toBe(cause);
    expect(new GemmaCoderError("x", { code: "config" }).isRetryable).toBe(false);
  });

  it("is recognised across copies of the class by its marker, not instanceof", () => {
    const marker = Symbol.for("@gemma-coder/error");
    const foreign = Object.assign(new Error("from the CJS build"), {
      code: "config",
      [marker]: true,
    });
    expect(GemmaCoderError.isInstance(foreign)).toBe(true);
    expect(GemmaCoderError.isInstance(new Error("plain"))).toBe(false);
    expect(GemmaCoderError.isInstance(null)).toBe(false);
    expect(GemmaCoderError.isInstance("string")).toBe(false);
    expect(GemmaCoderError.isInstance(new ToolError("bad path"))).toBe(true);
  });

  it("maps an abort signal to the aborted code, keeping an SDK reason", () => {
    expect(abortError(AbortSignal.abort("user")).code).toBe("aborted");
    const timeout = new GemmaCoderError("late", { code: "timeout" });
    expect(abortError(AbortSignal.abort(timeout))).toBe(timeout);
  });
});

describe("untilAborted", () => {
  it("passes the value or the error through when the signal stays quiet", async () => {
    const controller = new AbortController();
    await expect(untilAborted(Promise.resolve(3), controller.signal)).resolves.toBe(3);
    await expect(untilAborted(Promise.reject(new Error("no")), controller.signal)).rejects.toThrow(
      "no",
    );
  });

  it("rejects with the aborted error as soon as the signal fires, without waiting", async () => {
    const controller = new AbortController();
    const pending = untilAborted(new Promise(() => {}), controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: "aborted" });
    await expect(untilAborted(Promise.resolve(1), AbortSignal.abort())).rejects.toMatchObject({
      code: "aborted",
    });
  });
});
