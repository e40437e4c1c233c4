import { describe, expect, it } from "vitest";
import { z } from "zod";
import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import { createMemorySessionStore } from "../session/memory-session-store.js";
import {
  createScriptedModel,
  type ScriptedReply,
  toolCallText,
} from "../testing/scripted-model.js";
import { defineTool } from "../tools/define-tool.js";
import { Agent } from "./agent.js";
import type { AgentEvent } from "./events.js";
import { isTurnRetryable, TurnRetry } from "./turn-retry.js";

const CALL = toolCallText("bump", { by: 1 });
const DONE = toolCallText("done", { summary: "bumped" });
const broken = (code: GemmaCoderError["code"] = "provider-stream"): ScriptedReply => ({
  text: CALL,
  error: new GemmaCoderError("connection reset", { code }),
  failAfterChars: 12,
});

function setup(script: Array<string | ScriptedReply>, sleeps: number[] = []) {
  const runs: unknown[] = [];
  const bump = defineTool({
    name: "bump",
    description: "Bump.",
    inputSchema: z.object({ by: z.number() }),
    execute: (args) => {
      runs.push(args);
      return "ok";
    },
  });
  const session = createMemorySessionStore();
  const model = createScriptedModel(script);
  const agent = new Agent({
    provider: model,
    tools: [bump],
    rules: false,
    session,
    turnRetry: { sleep: async (ms) => void sleeps.push(ms) },
  });
  const events: AgentEvent[] = [];
  agent.on("turn-restart", (event) => events.push({ type: "turn-restart", ...event }));
  agent.on("text-delta", (event) => events.push({ type: "text-delta", ...event }));
  return { agent, runs, session, model, events };
}

describe("whole-turn retry", () => {
  it("withdraws the partial text, asks the turn again, and records the restart", async () => {
    const sleeps: number[] = [];
    const { agent, runs, session, model, events } = setup([broken(), CALL, DONE], sleeps);
    const result = await agent.run("bump it");
    expect(result).toMatchObject({ status: "done", steps: 2, summary: "bumped" });
    expect(runs).toEqual([{ by: 1 }]);
    expect(model.requests).toHaveLength(3);
    // The same prompt went out again: nothing of the broken reply entered the history.
    expect(model.requests[1]?.messages).toEqual(model.requests[0]?.messages);
    expect(events[1]).toMatchObject({
      type: "turn-restart",
      step: 1,
      attempt: 1,
      retries: 2,
      withdrawn: CALL.slice(0, 12),
      reason: { code: "provider-stream", message: "connection reset" },
      delayMs: 500,
    });
    expect(sleeps).toEqual([500]);
    const transcript = session.transcript(result.sessionId ?? "") ?? "";
    const records = transcript
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(records.filter((r) => r.type === "notice" && r.kind === "turn-restart")).toHaveLength(1);
    expect(records.filter((r) => r.type === "reply" && r.finishReason === "error")).toHaveLength(1);
  });

  it("keeps one turn-start per step: a restart is the same turn, said by turn-restart alone", async () => {
    const { agent } = setup([broken(), CALL, DONE]);
    const seen: string[] = [];
    const unsubscribe = agent.onEvent((event) => {
      if (event.type === "text-delta") {
        if (seen.at(-1) !== "text") seen.push("text");
      } else if (event.type === "state-change") seen.push(`state ${event.from}>${event.to}`);
      else if ("step" in event) seen.push(`${event.type} ${event.step}`);
    });
    await agent.run("bump it");
    unsubscribe();
    expect(seen.slice(0, 7)).toEqual([
      "state idle>awaiting-model",
      "turn-start 1",
      "text",
      "turn-restart 1",
      "text",
      "turn-end 1",
      "state awaiting-model>executing-tool",
    ]);
    expect(seen.filter((entry) => entry.startsWith("turn-start"))).toEqual([
      "turn-start 1",
      "turn-start 2",
    ]);
  });

  it("gives up after the retries with the last error, having run nothing", async () => {
    const sleeps: number[] = [];
    const { agent, runs } = setup([broken(), broken(), broken(), DONE], sleeps);
    const result = await agent.run("bump it");
    expect(result).toMatchObject({ status: "failed", stopReason: "provider-error" });
    expect(result.error?.code).toBe("provider-stream");
    expect(result.message).toContain("asked again 2 times");
    expect(sleeps).toEqual([500, 1000]);
    expect(runs).toEqual([]);
  });

  it("does not ask again for an error that a retry cannot fix", async () => {
    const { agent, model } = setup([broken("provider-auth"), CALL, DONE]);
    const result = await agent.run("bump it");
    expect(result.error?.code).toBe("provider-auth");
    expect(model.requests).toHaveLength(1);
  });

  it("leaves a failure before any text to the provider's own retries", async () => {
    const early: ScriptedReply = { ...broken(), failAfterChars: 0 };
    const { agent, model } = setup([early, CALL, DONE]);
    const result = await agent.run("bump it");
    expect(result.stopReason).toBe("provider-error");
    expect(model.requests).toHaveLength(1);
  });

  it("uses a call that was complete when the stream broke, without asking again", async () => {
    const { agent, runs, model } = setup([{ ...broken(), failAfterChars: CALL.length }, DONE]);
    const result = await agent.run("bump it");
    expect(result.status).toBe("done");
    expect(runs).toEqual([{ by: 1 }]);
    expect(model.requests).toHaveLength(2);
  });

  it("stops waiting at once when the run is aborted during the backoff", async () => {
    const controller = new AbortController();
    const model = createScriptedModel([broken(), CALL, DONE]);
    const agent = new Agent({
      provider: model,
      rules: false,
      turnRetry: { baseDelayMs: 60_000 },
    });
    agent.on("turn-restart", () => controller.abort());
    const result = await agent.run("bump it", { signal: controller.signal });
    expect(result).toMatchObject({ status: "aborted", stopReason: "aborted" });
    expect(model.requests).toHaveLength(1);
  });

  it("counts attempts per step, with capped exponential backoff", () => {
    const retry = new TurnRetry({ retries: 3, baseDelayMs: 100, maxDelayMs: 250 });
    const error = new GemmaCoderError("x", { code: "provider-timeout" });
    expect(retry.next(1, error)).toMatchObject({ retry: true, delayMs: 100 });
    expect(retry.next(1, error)).toMatchObject({ retry: true, delayMs: 200 });
    expect(retry.next(1, error)).toMatchObject({ retry: true, delayMs: 250 });
    expect(retry.next(1, error)).toEqual({ retry: false });
    expect(retry.next(2, error)).toMatchObject({ retry: true, attempt: 1 });
    expect(isTurnRetryable(new GemmaCoderError("x", { code: "context-overflow" }))).toBe(false);
    expect(isTurnRetryable(new GemmaCoderError("x", { code: "aborted", isRetryable: true }))).toBe(
      false,
    );
  });
});
