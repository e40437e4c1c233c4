import { describe, expect, it } from "vitest";
import {
  classifyFailure,
  extractServerMessage,
  httpError,
  networkError,
  parseRetryAfter,
} from "./errors.js";

const info = (status: number, body: string) => {
  const extracted = extractServerMessage(body);
  return {
    provider: "test",
    status,
    method: "POST",
    url: "http://127.0.0.1:1/x",
    serverMessage: extracted.message,
    ...(extracted.errorType ? { errorType: extracted.errorType } : {}),
  };
};

describe("extractServerMessage", () => {
  it("reads Ollama, OpenAI-style and plain-text error bodies", () => {
    expect(extractServerMessage('{"error":"model \\"x\\" not found"}').message).toBe(
      'model "x" not found',
    );
    expect(
      extractServerMessage(
        '{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}',
      ),
    ).toMatchObject({
      message: "Loading model",
      errorType: "unavailable_error",
    });
    expect(extractServerMessage("Bad Gateway\n").message).toBe("Bad Gateway");
    expect(extractServerMessage("").message).toBe("(empty response body)");
  });

  it("adds OpenRouter's upstream message from error.metadata.raw", () => {
    const body = JSON.stringify({
      error: { code: 429, message: "Provider returned error", metadata: { raw: "quota exceeded" } },
    });
    expect(extractServerMessage(body).message).toBe("Provider returned error (quota exceeded)");
  });
});

describe("httpError", () => {
  it.each([
    [400, '{"error":"bad"}', "provider-http", false],
    [401, '{"error":"no key"}', "provider-auth", false],
    [403, '{"error":"forbidden"}', "provider-auth", false],
    [404, '{"error":"model \\"m\\" not found"}', "model-not-found", false],
    [404, '{"error":"File Not Found"}', "provider-http", false],
    [408, "timeout", "provider-timeout", true],
    [429, "slow down", "rate-limited", true],
    [500, "oops", "provider-http", true],
    [502, "bad gateway", "provider-http", true],
    [503, "unavailable", "provider-http", true],
    [501, "not implemented", "provider-http", false],
  ])("classifies HTTP %i as %s (retryable: %s)", (status, body, code, retryable) => {
    const error = httpError(info(status, body));
    expect(error.code).toBe(code);
    expect(error.isRetryable).toBe(retryable);
    expect(error.status).toBe(status);
    expect(error.provider).toBe("test");
  });

  it("recognises llama.cpp's exceed_context_size_error", () => {
    const body = JSON.stringify({
      error: {
        code: 400,
        type: "exceed_context_size_error",
        message:
          "request (5000 tokens) exceeds the available context size (4096 tokens), try increasing it",
        n_prompt_tokens: 5000,
        n_ctx: 4096,
      },
    });
    const error = httpError(info(400, body));
    expect(error.code).toBe("context-overflow");
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain("5000 tokens");
  });

  it("puts the server's message and the request in the error message", () => {
    const error = httpError(info(500, '{"error":"disk on fire"}'));
    expect(error.message).toBe("test: HTTP 500 from POST http://127.0.0.1:1/x: disk on fire");
  });

  it("applies a provider's refinement", () => {
    const error = httpError(info(500, "out of memory"), () => ({
      isRetryable: false,
      hint: "Use less.",
    }));
    expect(error.isRetryable).toBe(false);
    expect(error.message.endsWith("Use less.")).toBe(true);
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3);
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:10 GMT", now)).toBe(10);
    expect(parseRetryAfter("Tue, 31 Dec 2024 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe("networkError", () => {
  it("treats a refused connection as a retryable connection error", () => {
    const cause = Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
    });
    const error = networkError({
      provider: "p",
      url: "http://127.0.0.1:1/x",
      cause,
      stage: "request",
      connectMs: 10,
      hint: "Start it.",
    });
    expect(error.code).toBe("provider-connection");
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.message).toContain("Start it.");
  });

  it("treats undici's connect timeout as a provider timeout", () => {
    const cause = Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error("Connect Timeout Error"), { code: "UND_ERR_CONNECT_TIMEOUT" }),
    });
    const error = networkError({
      provider: "p",
      url: "http://10.255.255.1/x",
      cause,
      stage: "request",
      connectMs: 250,
    });
    expect(error.code).toBe("provider-timeout");
    expect(error.message).toContain("250 ms (timeouts.connectMs)");
  });

  it("does not retry an unknown failure before the request went out", () => {
    const error = networkError({
      provider: "p",
      url: "x",
      cause: new TypeError("Invalid URL"),
      stage: "request",
      connectMs: 1,
    });
    expect(error.isRetryable).toBe(false);
  });
});

/** A fetch failure as undici reports it: a TypeError whose cause carries the code. */
const undiciFailure = (code: string, message: string) =>
  Object.assign(new TypeError("fetch failed"), {
    cause: Object.assign(new Error(message), { code }),
  });

const classify = (cause: unknown, stage: "request" | "body" = "request") =>
  networkError({ provider: "p", url: "http://127.0.0.1:9/api/chat", cause, stage, connectMs: 5 });

describe("networkError classifies by the real cause", () => {
  it.each([
    ["connection refused", undiciFailure("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:9"), true],
    ["connection reset", undiciFailure("ECONNRESET", "read ECONNRESET"), true],
    ["DNS name not found", undiciFailure("ENOTFOUND", "getaddrinfo ENOTFOUND nohost"), false],
    [
      "DNS lookup failing for now",
      undiciFailure("EAI_AGAIN", "getaddrinfo EAI_AGAIN nohost"),
      true,
    ],
    ["socket timeout", undiciFailure("ETIMEDOUT", "connect ETIMEDOUT"), true],
    ["TLS certificate", undiciFailure("CERT_HAS_EXPIRED", "certificate has expired"), false],
    ["a browser's fetch", new TypeError("Failed to fetch"), false],
    [
      "Deno's fetch",
      new TypeError("error sending request for url (http://x): connection refused"),
      false,
    ],
  ])("%s is a network failure: could not reach", (_name, cause, retryable) => {
    expect(classifyFailure(cause)).toBe("network");
    const error = classify(cause);
    expect(error.code).toBe("provider-connection");
    expect(error.isRetryable).toBe(retryable);
    expect(error.message).toContain("could not reach http://127.0.0.1:9");
    expect(error.cause).toBe(cause);
  });

  it("a socket closing while the body streams is a retryable stream failure", () => {
    const error = classify(undiciFailure("UND_ERR_SOCKET", "other side closed"), "body");
    expect(error.code).toBe("provider-stream");
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain("broke while the reply was streaming");
  });

  it("undici failing inside a bundle is internal, not 'could not reach', with the cause attached", () => {
    // What esbuild's CommonJS shim throws when an ESM bundle carries undici.
    const cause = new Error('Dynamic require of "node:assert" is not supported');
    const error = classify(cause);
    expect(classifyFailure(cause)).toBe("unexpected");
    expect(error.code).toBe("internal");
    expect(error.isRetryable).toBe(false);
    expect(error.cause).toBe(cause);
    expect(error.message).not.toMatch(/could not reach/);
    expect(error.message).toBe(
      'p: sending the request to http://127.0.0.1:9 failed with an unexpected error, not a network failure (Dynamic require of "node:assert" is not supported). The cause is attached.',
    );
  });

  it("an unknown failure while reading the body is internal too, and says it was reading", () => {
    const error = classify(new RangeError("Invalid array length"), "body");
    expect(error.code).toBe("internal");
    expect(error.message).toContain("reading the reply from http://127.0.0.1:9 failed");
  });

  it("an error code that is not a network one is internal", () => {
    const cause = undiciFailure("UND_ERR_INVALID_ARG", "invalid onRequestStart method");
    expect(classifyFailure(cause)).toBe("unexpected");
    expect(classify(cause).code).toBe("internal");
  });

  it("an invalid URL is a config error", () => {
    const cause = Object.assign(new TypeError("Invalid URL"), { code: "ERR_INVALID_URL" });
    const error = classify(cause);
    expect(error.code).toBe("config");
    expect(error.message).toContain("is not valid");
  });
});
