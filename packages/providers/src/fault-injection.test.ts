import { type ChatMessage, GemmaCoderError } from "@gemma-coder/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { HttpProviderOptions } from "./http/options.js";
import { collect, type RecordingSleep, recordingSleep } from "./testing/collect.js";
import {
  errorReply,
  neverAnswer,
  resetBeforeHeaders,
  type StreamFault,
  streamReply,
} from "./testing/fault-handlers.js";
import {
  type Handler,
  type LoopbackServer,
  startLoopbackServer,
} from "./testing/loopback-server.js";
import type { ScriptFinish } from "./testing/wire-formats.js";
import { type DisposableProvider, WIRE_TARGETS } from "./testing/wire-targets.js";

// Every fault the issue lists, against each backend's wire format spoken byte for byte
// by a loopback server. The caller must get either the correct reply, exactly once, or
// a typed error; within the configured timeouts; with the connection released.

type Provider = DisposableProvider;
const targets = WIRE_TARGETS;

const PIECES = ["<tool>\n", '{"name": "read_file", ', '"args": {"path": "src/api.py"}}', "\n"];
const FULL = PIECES.join("");
const PREFIX = PIECES[0]! + PIECES[1]!;
const FINISH: ScriptFinish = { reason: "stop-word", stopWord: "</tool>" };
const GENEROUS_TIMEOUTS = { connectMs: 30_000, firstByteMs: 30_000, idleMs: 30_000 };
const STALL_TIMEOUTS = { connectMs: 30_000, firstByteMs: 2000, idleMs: 2000 };
const messages: ChatMessage[] = [
  { role: "system", content: "You are a coding agent." },
  { role: "user", content: "Fix the bug in src/api.py" },
];

describe.each(targets)("$format.name under faults", (target) => {
  let server: LoopbackServer;
  let provider: Provider;
  let sleep: RecordingSleep;

  // Timeouts far above what a busy machine needs to answer on loopback, so no test that
  // expects a reply can be turned into a retry by load; the stall tests, which need a
  // timeout to fire, switch to STALL_TIMEOUTS (the stall itself never ends).
  const createProvider = (timeouts: NonNullable<HttpProviderOptions["timeouts"]>) =>
    target.create(server.url, {
      timeouts,
      retry: { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 1000 },
      sleep,
      random: () => 0.5,
    });
  const useStallTimeouts = async () => {
    await provider.dispose();
    provider = createProvider(STALL_TIMEOUTS);
  };

  beforeEach(async () => {
    server = await startLoopbackServer();
    target.setup?.(server);
    sleep = recordingSleep();
    provider = createProvider(GENEROUS_TIMEOUTS);
  });
  afterEach(async () => {
    await provider.dispose();
    await server.close();
  });

  const ok = () => streamReply(target.format, PIECES, FINISH);
  const faulty = (fault: StreamFault) => streamReply(target.format, PIECES, FINISH, fault);
  const calls = () => server.requestsFor(target.route);
  const run = async (...handlers: Handler[]) => {
    server.route(target.route, ...handlers);
    return collect(provider.streamChat({ messages }));
  };
  const expectCorrect = (result: Awaited<ReturnType<typeof run>>) => {
    expect(result.error).toBeUndefined();
    expect(result.text).toBe(FULL);
    expect(result.finish?.reason).toBe("stop-sequence");
  };

  it("streams the reply and stops on </tool>", async () => {
    const result = await run(ok());
    expectCorrect(result);
    expect(result.parts.filter((part) => part.type === "text-delta")).toHaveLength(PIECES.length);
    expect(calls()).toHaveLength(1);
  });

  it("retries a 429 without Retry-After after a backoff", async () => {
    const result = await run(errorReply(target.format, 429, "Too Many Requests"), ok());
    expectCorrect(result);
    expect(sleep.delays).toEqual([75]);
    expect(result.notices.map((notice) => notice.kind)).toEqual(["retry"]);
  });

  it("honours Retry-After on a 429", async () => {
    const result = await run(
      errorReply(target.format, 429, "Too Many Requests", { "retry-after": "1" }),
      ok(),
    );
    expectCorrect(result);
    expect(sleep.delays).toEqual([1000]);
  });

  it.each([500, 502, 503])("retries HTTP %i", async (status) => {
    const result = await run(errorReply(target.format, status, "Upstream failure"), ok());
    expectCorrect(result);
    expect(calls()).toHaveLength(2);
  });

  it("gives up with a typed error after maxRetries", async () => {
    const result = await run(errorReply(target.format, 502, "Bad Gateway"));
    expect(result.error?.code).toBe("provider-http");
    expect(result.error?.status).toBe(502);
    expect(result.error?.message).toContain("gave up after 2 retries");
    expect(calls()).toHaveLength(3);
    expect(sleep.delays).toEqual([75, 150]);
  });

  it.each([400, 401, 403, 404])("never retries HTTP %i", async (status) => {
    const result = await run(errorReply(target.format, status, "Client error"));
    expect(GemmaCoderError.isInstance(result.error)).toBe(true);
    expect(result.error?.isRetryable).toBe(false);
    expect(result.error?.status).toBe(status);
    expect(calls()).toHaveLength(1);
  });

  it("retries a connection reset before the headers", async () => {
    const result = await run(resetBeforeHeaders(), ok());
    expectCorrect(result);
    expect(calls()).toHaveLength(2);
  });

  it("retries a reset mid-stream before any text", async () => {
    const result = await run(faulty({ kind: "reset", after: target.lead }), ok());
    expectCorrect(result);
    expect(calls()).toHaveLength(2);
  });

  it("fails a reset mid-stream after text, without retrying or repeating text", async () => {
    const result = await run(faulty({ kind: "reset", after: target.lead + 2 }), ok());
    expect(result.text).toBe(PREFIX);
    expect(result.error?.code).toBe("provider-stream");
    expect(calls()).toHaveLength(1);
  });

  it("retries a stream that stalls before any text", async () => {
    await useStallTimeouts();
    const result = await run(faulty({ kind: "stall", after: target.lead }), ok());
    expectCorrect(result);
    expect(result.notices[0]?.data).toMatchObject({ code: "provider-timeout" });
    await calls()[0]?.socketClosed;
  });

  it("fails a stream that stalls after text within idleMs, and closes the connection", async () => {
    await useStallTimeouts();
    const result = await run(faulty({ kind: "stall", after: target.lead + 2 }), ok());
    expect(result.text).toBe(PREFIX);
    expect(result.error?.code).toBe("provider-timeout");
    expect(result.error?.message).toContain("2000 ms (timeouts.idleMs)");
    expect(calls()).toHaveLength(1);
    await calls()[0]?.socketClosed;
  });

  it("retries a malformed line before any text", async () => {
    const result = await run(faulty({ kind: "malformed", after: target.lead }), ok());
    expectCorrect(result);
  });

  it("fails a malformed line after text with a typed error", async () => {
    const result = await run(faulty({ kind: "malformed", after: target.lead + 2 }), ok());
    expect(result.text).toBe(PREFIX);
    expect(result.error?.code).toBe("provider-stream");
    expect(result.error?.message).toContain("malformed");
    expect(calls()).toHaveLength(1);
  });

  it("retries an error line inside a 200 stream before any text", async () => {
    const result = await run(
      faulty({ kind: "error-frame", after: target.lead, message: "backend crashed" }),
      ok(),
    );
    expectCorrect(result);
    expect(result.notices[0]?.message).toContain("backend crashed");
  });

  it("fails an error line inside a 200 stream after text with the server's message", async () => {
    const result = await run(
      faulty({ kind: "error-frame", after: target.lead + 2, message: "backend crashed" }),
      ok(),
    );
    expect(result.text).toBe(PREFIX);
    expect(result.error?.message).toContain("backend crashed");
    expect(result.error?.provider).toBe(target.format.name);
    expect(calls()).toHaveLength(1);
  });

  it("fails a body that ends before the final event, after text", async () => {
    const result = await run(faulty({ kind: "truncate", after: target.lead + 2 }), ok());
    expect(result.text).toBe(PREFIX);
    expect(result.error?.code).toBe("provider-stream");
    expect(result.error?.message).toContain("ended before");
  });

  // One write per byte is slow on a loaded machine: the test gets more time, and no
  // assertion depends on how long it took.
  it("reassembles a slow trickle of one byte at a time", { timeout: 120_000 }, async () => {
    const result = await run(faulty({ kind: "trickle", delayMs: 0 }));
    expectCorrect(result);
  });

  it("aborts before the request without sending it", async () => {
    server.route(target.route, ok());
    const controller = new AbortController();
    controller.abort();
    const result = await collect(provider.streamChat({ messages, signal: controller.signal }));
    expect(result.error?.code).toBe("aborted");
    expect(calls()).toHaveLength(0);
  });

  it("aborts while waiting for headers and releases the socket", async () => {
    server.route(target.route, neverAnswer());
    const controller = new AbortController();
    const pending = collect(provider.streamChat({ messages, signal: controller.signal }));
    while (calls().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    const result = await pending;
    expect(result.error?.code).toBe("aborted");
    await calls()[0]?.socketClosed;
    expect(sleep.delays).toEqual([]);
  });

  it("aborts mid-stream and releases the socket", async () => {
    server.route(target.route, faulty({ kind: "stall", after: target.lead + 2 }));
    const controller = new AbortController();
    let text = "";
    let error: unknown;
    try {
      for await (const part of provider.streamChat({ messages, signal: controller.signal })) {
        if (part.type === "text-delta") {
          text += part.text;
          if (text === PREFIX) controller.abort();
        }
      }
    } catch (caught) {
      error = caught;
    }
    expect(GemmaCoderError.isInstance(error) && error.code).toBe("aborted");
    expect(text).toBe(PREFIX);
    await calls()[0]?.socketClosed;
  });

  it("closes the connection when the consumer stops early (a complete call arrived)", async () => {
    server.route(target.route, faulty({ kind: "stall", after: target.lead + 2 }));
    let text = "";
    for await (const part of provider.streamChat({ messages })) {
      if (part.type === "text-delta") text += part.text;
      if (text.includes('"name"')) break;
    }
    expect(text).toBe(PREFIX);
    await calls()[0]?.socketClosed;
    expect(calls()).toHaveLength(1);
  });
});
