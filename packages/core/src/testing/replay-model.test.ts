import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Agent } from "../agent/agent.js";
import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import { createMemorySessionStore } from "../session/memory-session-store.js";
import { defineTool } from "../tools/define-tool.js";
import { createReplayModel, recordedToolCalls } from "./replay-model.js";
import { createScriptedModel, toolCallText } from "./scripted-model.js";

function counterTool(start = 0) {
  let value = start;
  return defineTool({
    name: "bump",
    description: "Add to a counter.",
    inputSchema: z.object({ by: z.number() }),
    execute: ({ by }) => {
      value += by;
      return `counter is ${value}`;
    },
  });
}

const script = [
  "I will bump it.\n" + toolCallText("bump", { by: 2 }),
  { text: toolCallText("bump", { by: 3 }), usage: { inputTokens: 40, outputTokens: 9 } },
  "oops no call",
  toolCallText("done", { summary: "counter bumped twice" }),
];

async function record() {
  const session = createMemorySessionStore();
  const agent = new Agent({
    provider: createScriptedModel(script),
    tools: [counterTool()],
    rules: false,
    session,
  });
  const result = await agent.run("bump the counter");
  return { transcript: session.transcript(result.sessionId ?? "") ?? "", result };
}

function callsOf(agent: Agent): { step: number; name: string; args: Record<string, unknown> }[] {
  const calls: { step: number; name: string; args: Record<string, unknown> }[] = [];
  agent.on("tool-call", ({ step, name, args }) => calls.push({ step, name, args }));
  return calls;
}

describe("createReplayModel", () => {
  it("replays a recorded session: same tool calls, results, usage and summary", async () => {
    const { transcript, result: recorded } = await record();
    const model = createReplayModel(transcript, { strict: true, chunkSize: 3 });
    expect(model).toMatchObject({
      id: "replay",
      model: "replay of scripted",
      total: 4,
      remaining: 4,
    });
    const agent = new Agent({ provider: model, tools: [counterTool()], rules: false });
    const calls = callsOf(agent);
    const replayed = await agent.run("bump the counter");
    expect(calls).toEqual(recordedToolCalls(transcript));
    expect(calls.map((c) => c.name)).toEqual(["bump", "bump", "done"]);
    expect(replayed).toMatchObject({
      status: "done",
      summary: "counter bumped twice",
      steps: recorded.steps,
      usage: recorded.usage,
    });
    expect(replayed.messages).toEqual(recorded.messages);
    expect(model.remaining).toBe(0);
  });

  it("accepts records as well as text, and one run's replies only", async () => {
    const session = createMemorySessionStore();
    const first = await new Agent({
      provider: createScriptedModel([toolCallText("done", { summary: "one" })]),
      rules: false,
      session,
    }).run("t");
    const second = await new Agent({
      provider: createScriptedModel([toolCallText("done", { summary: "two" })]),
      rules: false,
      session,
    }).resume(first.sessionId ?? "", { message: "again" });
    const { records } = await session.load(first.sessionId ?? "");
    const replay = createReplayModel(records, { runId: second.runId });
    expect(replay.total).toBe(1);
    const result = await new Agent({ provider: replay, rules: false }).run("t");
    expect(result.summary).toBe("two");
    expect(recordedToolCalls(records, { runId: first.runId })).toEqual([
      { step: 1, name: "done", args: { summary: "one" } },
    ]);
  });

  it("fails clearly when the conversation needs more turns than were recorded", async () => {
    const { transcript } = await record();
    // Header, run start, then two turns (request, reply, call, result).
    const short = transcript.split("\n").slice(0, 8).join("\n");
    const agent = new Agent({
      provider: createReplayModel(short),
      tools: [counterTool()],
      rules: false,
    });
    const result = await agent.run("bump the counter");
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("script-exhausted");
    expect(result.message).toMatch(
      /replay diverged from the recording: request 3 was made, but the recording has only 2 replies/,
    );
  });

  it("with strict, fails at the first request that differs from the recording", async () => {
    const { transcript } = await record();
    const agent = new Agent({
      provider: createReplayModel(transcript, { strict: true }),
      tools: [counterTool(100)],
      rules: false,
    });
    const calls = callsOf(agent);
    const result = await agent.run("bump the counter");
    expect(calls).toHaveLength(1);
    expect(result.error?.code).toBe("script-exhausted");
    expect(result.message).toMatch(/diverged from the recording at step 2/);
    // Without strict, the same replies drive the run to the end.
    const lenient = new Agent({
      provider: createReplayModel(transcript),
      tools: [counterTool(100)],
      rules: false,
    });
    expect((await lenient.run("bump the counter")).status).toBe("done");
  });

  it("replays a recorded provider failure, with its turn restarts, at the same turn", async () => {
    const session = createMemorySessionStore();
    const broken = {
      text: "partial",
      error: new GemmaCoderError("backend went away", { code: "provider-connection" }),
      failAfterChars: 4,
    };
    const noWait = { sleep: async () => {} };
    const failing = createScriptedModel([toolCallText("bump", { by: 1 }), broken, broken, broken]);
    const recorded = await new Agent({
      provider: failing,
      tools: [counterTool()],
      rules: false,
      session,
      turnRetry: noWait,
    }).run("t");
    expect(recorded.stopReason).toBe("provider-error");
    const agent = new Agent({
      provider: createReplayModel(session.transcript(recorded.sessionId ?? "") ?? ""),
      tools: [counterTool()],
      rules: false,
      turnRetry: noWait,
    });
    const restarts: number[] = [];
    agent.on("turn-restart", (event) => restarts.push(event.step));
    const replayed = await agent.run("t");
    expect(replayed).toMatchObject({ stopReason: "provider-error", steps: 2 });
    expect(replayed.message).toMatch(/backend went away/);
    expect(restarts).toEqual([2, 2]);
  });

  it("rejects a transcript with no replies, or a source that is not one", async () => {
    const session = createMemorySessionStore();
    const id = await session.create({ time: 0 });
    expect(() => createReplayModel(session.transcript(id) ?? "")).toThrow(/no model reply/);
    expect(() => createReplayModel(42 as unknown as string)).toThrow(/JSONL text or an array/);
    expect(() => createReplayModel("not json\n")).toThrow(/not a gemma-coder transcript/);
  });
});
