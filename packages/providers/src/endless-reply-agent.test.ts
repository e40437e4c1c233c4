import { Agent, createMemorySessionStore } from "@gemma-coder/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type Handler,
  type LoopbackServer,
  startLoopbackServer,
} from "./testing/loopback-server.js";
import type { WireFormat } from "./testing/wire-formats.js";
import { type DisposableProvider, WIRE_TARGETS } from "./testing/wire-targets.js";

// A backend that ignores maxTokens and streams without end must not hold the run: the
// agent cuts the reply at its cap, closes the request, and records only the capped text.

type Provider = DisposableProvider;
const targets = WIRE_TARGETS;

/**
 * A piece of prose that never repeats itself: the spiral cut (which stops exact
 * repetition much earlier) must not be what ends these replies, the size cap must.
 */
function prose(n: number): string {
  return `Paragraph ${n} weighs option ${(n * 7919) % 104_729} against ${(n * 104_723) % 7907}. `;
}

/** The frame that carries one text piece in a format, without the frames around it. */
function textFrame(format: WireFormat, text: string): string {
  return format
    .frames([text], { reason: "eos" })
    .find((frame) => frame.includes("Paragraph")) as string;
}

/** Streams text frames until the client goes away. */
function endless(format: WireFormat): Handler {
  // The frames of a one-piece reply before its text frame (OpenRouter's comment line).
  const frames = format.frames([prose(0)], { reason: "eos" });
  const lead = frames.slice(0, frames.indexOf(textFrame(format, prose(0))));
  return async (_req, res) => {
    res.writeHead(200, { "content-type": format.contentType, "transfer-encoding": "chunked" });
    for (const frame of lead) res.write(frame);
    for (let n = 1; !res.destroyed && !res.writableEnded; n++) {
      const frame = textFrame(format, prose(n));
      // Wait for the socket to take the frame, so a closed client is seen promptly.
      if (!res.write(frame)) await new Promise((resolve) => res.once("drain", resolve));
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
}

describe.each(targets)("$format.name: an endless reply", (target) => {
  let server: LoopbackServer;
  let provider: Provider;

  beforeEach(async () => {
    server = await startLoopbackServer();
    target.setup?.(server);
    provider = target.create(server.url, { retry: { maxRetries: 0 } });
  });
  afterEach(async () => {
    await provider.dispose();
    await server.close();
  });

  it("is cut at the cap, its request closed, and the run ends", async () => {
    server.route(target.route, endless(target.format));
    const session = createMemorySessionStore();
    const agent = new Agent({
      provider,
      rules: false,
      contextWindow: 8192,
      session,
      maxReplyChars: 20_000,
      maxInvalidReplies: 2,
    });

    const result = await agent.run("Write something");

    expect(result).toMatchObject({ status: "failed", stopReason: "invalid-replies" });
    const requests = server.requestsFor(target.route);
    expect(requests).toHaveLength(2);
    // Every request was closed by the client; none is left streaming.
    await Promise.all(requests.map((request) => request.responseClosed));
    const records = (await session.load(result.sessionId as string)).records;
    const replies = records.filter((record) => record.type === "reply") as Array<{
      text: string;
    }>;
    expect(replies.map((reply) => reply.text.length)).toEqual([20_000, 20_000]);
  });
});
