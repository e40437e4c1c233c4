import { Agent, type AgentEvent, defineTool } from "@gemma-coder/core";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type RecordingSleep, recordingSleep } from "./testing/collect.js";
import {
  errorReply,
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
import {
  type DisposableProvider,
  type WireTarget as Target,
  WIRE_TARGETS,
} from "./testing/wire-targets.js";

// The fault matrix driven through a whole Agent run: each backend's wire format
// spoken by a loopback server, one fault injected into the first turn (a tool call). Every
// run must end `done` with the tool run exactly once with the arguments the model sent;
// a fault after the reply started is survived by asking the turn again, its partial text
// withdrawn with a `turn-restart` event. The tally at the end is the figure in the docs.

type Provider = DisposableProvider;
const targets = WIRE_TARGETS;

const CALL = ["<tool>\n", '{"name": "bump", ', '"args": {"by": 1}}', "\n"];
const DONE = ["<tool>\n", '{"name": "done", ', '"args": {"summary": "bumped"}}', "\n"];
const PREFIX = CALL[0]! + CALL[1]!;
const FINISH: ScriptFinish = { reason: "stop-word", stopWord: "</tool>" };
// Generous except where a stall must be noticed: the idle limit is what ends a stall.
const TIMEOUTS = { connectMs: 30_000, firstByteMs: 30_000, idleMs: 1500 };

/** One fault of the matrix: the handlers that answer the first turn's requests. */
interface Fault {
  name: string;
  /** Whether it hits after the reply started (the turn must be asked again). */
  midStream: boolean;
  first(target: Target): Handler[];
}

const reply = (target: Target, fault?: StreamFault) =>
  streamReply(target.format, CALL, FINISH, fault);
const slowHeaders =
  (target: Target): Handler =>
  async (req, res, request) => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    await reply(target)(req, res, request);
  };
const mid = (name: string, fault: (target: Target) => StreamFault): Fault => ({
  name,
  midStream: true,
  first: (target) => [reply(target, fault(target)), reply(target)],
});

const faults: Fault[] = [
  ...[429, 500, 502, 503].map(
    (status): Fault => ({
      name: `HTTP ${status}`,
      midStream: false,
      first: (target) => [errorReply(target.format, status, "try later"), reply(target)],
    }),
  ),
  {
    name: "reset before headers",
    midStream: false,
    first: (target) => [resetBeforeHeaders(), reply(target)],
  },
  { name: "slow headers", midStream: false, first: (target) => [slowHeaders(target)] },
  {
    name: "trickle",
    midStream: false,
    first: (target) => [reply(target, { kind: "trickle", delayMs: 0 })],
  },
  mid("reset mid-stream", (target) => ({ kind: "reset", after: target.lead + 2 })),
  mid("error line mid-stream", (target) => ({
    kind: "error-frame",
    after: target.lead + 2,
    message: "backend crashed",
  })),
  mid("malformed line mid-stream", (target) => ({ kind: "malformed", after: target.lead + 2 })),
  mid("truncated mid-stream", (target) => ({ kind: "truncate", after: target.lead + 2 })),
  mid("stall mid-stream", (target) => ({ kind: "stall", after: target.lead + 2 })),
];

const tally = { runs: 0, completed: 0, duplicated: 0, corrupted: 0 };

describe.each(targets)("an Agent run over $format.name", (target) => {
  let server: LoopbackServer;
  let provider: Provider;
  let providerSleep: RecordingSleep;
  let turnSleeps: number[];
  let bumps: unknown[];

  beforeEach(async () => {
    server = await startLoopbackServer();
    target.setup?.(server);
    providerSleep = recordingSleep();
    turnSleeps = [];
    bumps = [];
    provider = target.create(server.url, {
      timeouts: TIMEOUTS,
      retry: { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 1000 },
      sleep: providerSleep,
      random: () => 0.5,
    });
  });
  afterEach(async () => {
    await provider.dispose();
    await server.close();
  });

  const runWith = async (...handlers: Handler[]) => {
    server.route(target.route, ...handlers);
    const bump = defineTool({
      name: "bump",
      description: "Bump the counter.",
      inputSchema: z.object({ by: z.number() }),
      execute: (args) => {
        bumps.push(args);
        return "bumped";
      },
    });
    const agent = new Agent({
      provider,
      tools: [bump],
      rules: false,
      turnRetry: {
        sleep: async (ms) => {
          turnSleeps.push(ms);
        },
      },
    });
    const events: AgentEvent[] = [];
    for await (const event of agent.stream("bump the counter")) events.push(event);
    const done = events.find((event) => event.type === "done");
    if (done?.type !== "done") throw new Error("the run did not end with a done event");
    return { result: done.result, events };
  };
  const restarts = (events: AgentEvent[]) =>
    events.filter((event) => event.type === "turn-restart");

  it.each(faults)(
    "completes despite $name, running the tool once",
    { timeout: 120_000 },
    async (fault) => {
      const doneReply = streamReply(target.format, DONE, FINISH);
      const { result, events } = await runWith(...fault.first(target), doneReply);
      tally.runs++;
      if (result.status === "done") tally.completed++;
      if (bumps.length > 1) tally.duplicated++;
      if (
        bumps.some((args) => JSON.stringify(args) !== '{"by":1}') ||
        (result.status === "done" && result.summary !== "bumped")
      ) {
        tally.corrupted++;
      }

      expect(result.error).toBeUndefined();
      expect(result).toMatchObject({ status: "done", summary: "bumped", steps: 2 });
      expect(bumps).toEqual([{ by: 1 }]);
      const withdrawn = restarts(events);
      if (fault.midStream) {
        expect(withdrawn).toHaveLength(1);
        expect(withdrawn[0]).toMatchObject({ step: 1, attempt: 1, retries: 2, withdrawn: PREFIX });
        expect(turnSleeps).toEqual([500]);
      } else {
        expect(withdrawn).toEqual([]);
      }
    },
  );

  it("ends with a clear provider error when the stream keeps breaking", async () => {
    const broken = reply(target, { kind: "reset", after: target.lead + 2 });
    const { result, events } = await runWith(broken);
    expect(result).toMatchObject({ status: "failed", stopReason: "provider-error" });
    expect(result.error?.code).toBe("provider-stream");
    expect(result.message).toContain("asked again 2 times");
    expect(restarts(events).map((event) => event.type === "turn-restart" && event.attempt)).toEqual(
      [1, 2],
    );
    expect(turnSleeps).toEqual([500, 1000]);
    expect(bumps).toEqual([]);
    expect(server.requestsFor(target.route)).toHaveLength(3);
  });
});

afterAll(() => {
  // The figure quoted in docs/troubleshooting.md: `pnpm vitest run packages/providers/src/turn-retry-matrix.test.ts`.
  console.log(
    `turn-retry matrix: ${tally.completed} of ${tally.runs} runs completed, ${tally.duplicated} duplicated, ${tally.corrupted} corrupted`,
  );
});
