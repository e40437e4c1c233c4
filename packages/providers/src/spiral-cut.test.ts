import { Agent, type AgentEvent, SPIRAL_NUDGE } from "@gemma-coder/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { streamReply } from "./testing/fault-handlers.js";
import {
  type Handler,
  type LoopbackServer,
  startLoopbackServer,
} from "./testing/loopback-server.js";
import type { WireFormat } from "./testing/wire-formats.js";
import { type DisposableProvider, WIRE_TARGETS } from "./testing/wire-targets.js";

// A model that spirals is cut while it streams, on every backend's wire format: the
// agent stops reading, the request is released, and the model gets a short nudge.

type Provider = DisposableProvider;
const targets = WIRE_TARGETS;

/** Word-sized pieces, about one token each. */
const words = (text: string) => text.match(/ ?[^\s]+|\s+/g) ?? [];
const SPIRAL = words(
  `I need the handler first.\n${"I will read the file src/app.py to see it.\n".repeat(600)}`,
);
const DONE = ["<tool>\n", '{"name": "done", "args": {"summary": "read it"}}', "\n"];

/** Streams `pieces` one frame per event-loop turn and counts how many got written. */
function countingReply(
  format: WireFormat,
  pieces: readonly string[],
  written: { frames: number },
): Handler {
  return async (_req, res) => {
    res.writeHead(200, { "content-type": format.contentType, "transfer-encoding": "chunked" });
    for (const frame of format.frames(pieces, { reason: "length" })) {
      if (res.destroyed) return;
      res.write(frame);
      written.frames++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    res.end();
  };
}

describe.each(targets)("spiral cut on $format.name", (target) => {
  let server: LoopbackServer;
  let provider: Provider;

  beforeEach(async () => {
    server = await startLoopbackServer();
    target.setup?.(server);
    provider = target.create(server.url, {
      timeouts: { connectMs: 2000, firstByteMs: 5000, idleMs: 5000 },
      retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 },
    });
  });
  afterEach(async () => {
    await provider.dispose();
    await server.close();
  });

  it("stops the spiralling turn at once, nudges the model and goes on", async () => {
    const written = { frames: 0 };
    server.route(
      target.route,
      countingReply(target.format, SPIRAL, written),
      streamReply(target.format, DONE, { reason: "stop-word", stopWord: "</tool>" }),
    );
    const agent = new Agent({ provider, rules: false });
    const events: AgentEvent[] = [];
    const stream = agent.stream("Read src/app.py");
    let next = await stream.next();
    while (!next.done) {
      events.push(next.value);
      next = await stream.next();
    }
    const result = next.value;

    expect(result).toMatchObject({ status: "done", summary: "read it" });
    const deltas = events.filter((e) => e.type === "text-delta" && e.step === 1);
    expect(deltas.length).toBeLessThanOrEqual(200);
    const invalid = events.find((e) => e.type === "invalid-reply");
    expect(invalid).toMatchObject({ step: 1, feedback: SPIRAL_NUDGE, consecutive: 1 });

    // The first request was released long before the server ran out of spiral to send.
    const [first, second] = server.requestsFor(target.route);
    await first?.responseClosed;
    expect(written.frames).toBeLessThan(SPIRAL.length);
    // The next turn carries the nudge, and the history keeps the reply without its loop.
    const body = JSON.stringify(second?.json);
    expect(body).toContain("Your reply was cut");
    expect(body.split("I will read the file src/app.py").length - 1).toBeLessThanOrEqual(1);
  });
});
