import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createScriptedModel, toolCallText } from "../testing/scripted-model.js";
import { defineTool } from "../tools/define-tool.js";
import { Agent } from "./agent.js";
import type { AgentEvent } from "./events.js";

function recordingTool(calls: string[]) {
  return defineTool({
    name: "write",
    description: "Record a write.",
    inputSchema: z.object({ path: z.string() }),
    execute: ({ path }) => {
      calls.push(path);
      return `wrote ${path}`;
    },
  });
}

describe("Agent.stream: leaving the loop", () => {
  it("cancels the run when the consumer breaks after the first event", async () => {
    const calls: string[] = [];
    // A slow reply (one character per delta, each after a pause) whose call would write.
    const model = createScriptedModel([
      { text: toolCallText("write", { path: "a.txt" }), chunkSize: 1, delayMs: 5 },
      toolCallText("done", { summary: "ok" }),
    ]);
    const agent = new Agent({ provider: model, tools: [recordingTool(calls)], rules: false });
    const seen: AgentEvent["type"][] = [];
    for await (const event of agent.stream("t")) {
      seen.push(event.type);
      break;
    }
    // Leaving the loop waits for the run to end: it is over, aborted, and did nothing more.
    expect(seen).toEqual(["run-start"]);
    expect(agent.state).toBe("aborted");
    expect(calls).toEqual([]);
    expect(model.requests.length).toBeLessThanOrEqual(1);
    if (model.deltasRead[0] !== undefined) expect(model.deltasRead[0]).toBeLessThan(10);
  });

  it("cancels the run when the loop throws mid-stream, and the run can be started again", async () => {
    const calls: string[] = [];
    const model = createScriptedModel([
      { text: toolCallText("write", { path: "a.txt" }), chunkSize: 1, delayMs: 5 },
      toolCallText("done", { summary: "second" }),
    ]);
    const agent = new Agent({ provider: model, tools: [recordingTool(calls)], rules: false });
    const results: string[] = [];
    agent.on("done", (e) => results.push(e.result.stopReason));
    await expect(async () => {
      for await (const event of agent.stream("t")) {
        if (event.type === "text-delta") throw new Error("consumer failed");
      }
    }).rejects.toThrow("consumer failed");
    expect(results).toEqual(["aborted"]);
    expect(calls).toEqual([]);
    expect((await agent.run("again")).summary).toBe("second");
  });

  it("still ends with the caller's own abort", async () => {
    const controller = new AbortController();
    const model = createScriptedModel([{ text: "x".repeat(50), chunkSize: 1, delayMs: 5 }]);
    const agent = new Agent({ provider: model, rules: false });
    let last: AgentEvent | undefined;
    for await (const event of agent.stream("t", { signal: controller.signal })) {
      if (event.type === "text-delta") controller.abort();
      last = event;
    }
    expect(last?.type === "done" && last.result.status).toBe("aborted");
  });

  it("hands each event over before any timer or I/O callback runs", async () => {
    const model = createScriptedModel([toolCallText("done", { summary: "ok" })]);
    const agent = new Agent({ provider: model, rules: false });
    const order: string[] = [];
    // A macrotask queued at the moment of emission must come after the stream delivers the event.
    agent.on("run-start", () => setImmediate(() => order.push("macrotask")));
    for await (const event of agent.stream("t")) {
      if (event.type === "run-start") order.push("stream");
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(["stream", "macrotask"]);
  });
});

describe("Agent.onEvent", () => {
  it("receives every event synchronously, in order, as stream() yields them, until unsubscribed", async () => {
    const model = createScriptedModel([
      toolCallText("write", { path: "a" }),
      toolCallText("done", { summary: "one" }),
      toolCallText("done", { summary: "two" }),
    ]);
    const agent = new Agent({ provider: model, tools: [recordingTool([])], rules: false });
    const viaOnEvent: AgentEvent[] = [];
    const viaOn: string[] = [];
    agent.on("tool-call", (e) => viaOn.push(`on:${e.name}`));
    const unsubscribe = agent.onEvent((event) => {
      viaOnEvent.push(event);
      if (event.type === "tool-call") viaOn.push(`onEvent:${event.name}`);
    });
    const streamed: AgentEvent[] = [];
    for await (const event of agent.stream("t")) streamed.push(event);
    expect(viaOnEvent).toEqual(streamed);
    expect(viaOnEvent[0]?.type).toBe("run-start");
    expect(viaOnEvent.at(-1)?.type).toBe("done");
    // Synchronous: the onEvent listener runs right after the named listeners of the same event.
    expect(viaOn).toEqual(["on:write", "onEvent:write", "on:done", "onEvent:done"]);
    unsubscribe();
    await agent.run("again");
    expect(viaOnEvent).toHaveLength(streamed.length);
  });
});
