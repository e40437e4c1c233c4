import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { Agent } from "../agent/agent.js";
import type { AgentEvent } from "../agent/events.js";
import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import { createScriptedModel, toolCallText } from "../testing/scripted-model.js";
import { defineTool } from "../tools/define-tool.js";
import type { Checkpointer, FileChange } from "./checkpointer.js";
import { hashMessages } from "./hash-messages.js";
import { createMemorySessionStore } from "./memory-session-store.js";
import { parseTranscript } from "./parse-transcript.js";
import { rebuildSession } from "./rebuild-session.js";
import type { SessionStore } from "./session-store.js";
import type { RequestRecord, TranscriptRecord } from "./transcript-record.js";

const done = (summary = "finished") => toolCallText("done", { summary });

const echo = defineTool({
  name: "echo",
  description: "Echo a text.",
  inputSchema: z.object({ text: z.string() }),
  readOnly: true,
  execute: ({ text }) => `echo: ${text}`,
});

const files = new Map<string, string>();
const write = defineTool({
  name: "write",
  description: "Write a file.",
  inputSchema: z.object({ path: z.string(), text: z.string() }),
  execute: ({ path, text }) => {
    files.set(path, text);
    return `wrote ${path}`;
  },
});

/** A tool that never returns until aborted: a run stopped inside it. */
const hang = defineTool({
  name: "hang",
  description: "Wait forever.",
  inputSchema: z.object({}),
  execute: (_input, { signal }) =>
    new Promise((_resolve, reject) =>
      signal.addEventListener("abort", () => reject(signal.reason)),
    ),
});

async function records(store: ReturnType<typeof createMemorySessionStore>, id: string) {
  return (await store.load(id)).records;
}

function types(list: readonly TranscriptRecord[]): string[] {
  return list.map((r) => (r.type === "reply" ? `reply:${r.purpose}` : r.type));
}

describe("session transcripts", () => {
  it("records every step of a run in order, requests as hash plus new messages", async () => {
    const session = createMemorySessionStore();
    const model = createScriptedModel([
      { text: toolCallText("echo", { text: "a" }), usage: { inputTokens: 10, outputTokens: 3 } },
      "no call here",
      done("all good"),
    ]);
    const agent = new Agent({
      provider: model,
      tools: [echo],
      rules: false,
      session,
      now: () => 7,
    });
    const result = await agent.run("say a");
    expect(result.sessionId).toBe("session-1");
    const list = await records(session, "session-1");
    expect(types(list)).toEqual([
      "session",
      "run-start",
      "request",
      "reply:turn",
      "tool-call",
      "tool-result",
      "request",
      "reply:turn",
      "invalid-reply",
      "request",
      "reply:turn",
      "tool-call",
      "tool-result",
      "run-end",
    ]);
    expect(list.every((r) => r.v === 1 && r.time === 7)).toBe(true);
    expect(list[1]).toMatchObject({
      type: "run-start",
      runId: result.runId,
      task: "say a",
      firstStep: 0,
      provider: "scripted",
      tools: ["done", "echo"],
      settings: { maxSteps: 40, maxOutputTokens: 2048, contextWindow: 8192 },
    });
    // The reply is kept as the agent used it: cut after the call (the stop sequence eats `</tool>`).
    expect(list[3]).toMatchObject({
      text: '<tool>\n{"name":"echo","args":{"text":"a"}}',
      finishReason: "stop",
      usage: { inputTokens: 10 },
    });
    expect(list[5]).toMatchObject({ name: "echo", result: { ok: true, value: "echo: a" } });
    expect(list.at(-1)).toMatchObject({
      type: "run-end",
      status: "done",
      stopReason: "done",
      summary: "all good",
      steps: 3,
      usage: { inputTokens: 10, outputTokens: 3 },
    });

    // Each request stores only what is new, and its hash matches what the model received.
    const requests = list.filter((r): r is RequestRecord => r.type === "request");
    expect(requests.map((r) => [r.base, r.messages.length, r.count])).toEqual([
      [0, 2, 2],
      [2, 2, 4],
      [4, 2, 6],
    ]);
    for (const [i, request] of requests.entries()) {
      expect(request.hash).toBe(await hashMessages(model.requests[i]?.messages ?? []));
    }
  });

  it("records compaction so the rebuilt history matches every request's hash, and replies of summaries", async () => {
    const session = createMemorySessionStore();
    const big = Array.from({ length: 250 }, (_, i) => `word${i}`).join(" ");
    const model = createScriptedModel((messages, turn) => {
      if (messages[0]?.content.startsWith("You summarise")) return "summary of work";
      return turn < 12 ? toolCallText("write", { path: `f${turn}`, text: big }) : done();
    });
    const agent = new Agent({
      provider: model,
      tools: [write],
      rules: false,
      session,
      contextWindow: 1800,
      maxOutputTokens: 256,
      keepRecentMessages: 2,
    });
    const events: string[] = [];
    agent.on("context-elided", () => events.push("elided"));
    agent.on("context-compacted", () => events.push("compacted"));
    const result = await agent.run("go");
    expect(result.status).toBe("done");
    expect(events.length).toBeGreaterThan(0);
    const list = await records(session, result.sessionId ?? "");
    expect(list.some((r) => r.type === "context")).toBe(true);
    // Fold the requests one by one and check each against its recorded hash.
    let history: { role: "system" | "user" | "assistant"; content: string }[] = [];
    const requests = list.filter((r): r is RequestRecord => r.type === "request");
    expect(requests.some((r, i) => i > 0 && r.base < (requests[i - 1]?.count ?? 0))).toBe(true);
    for (const request of requests) {
      history = [...history.slice(0, request.base), ...request.messages];
      expect(await hashMessages(history)).toBe(request.hash);
    }
    const snapshot = rebuildSession(list);
    expect(snapshot.requestHistory).toEqual(history);
    expect(events).toContain("compacted");
    expect(types(list)).toContain("reply:summary");
  });

  it("resumes an interrupted session with its history, new run id and continued steps", async () => {
    const session = createMemorySessionStore();
    const first = createScriptedModel([
      toolCallText("write", { path: "a.txt", text: "one" }),
      toolCallText("hang"),
    ]);
    const controller = new AbortController();
    const agent1 = new Agent({ provider: first, tools: [write, hang], rules: false, session });
    agent1.on("tool-call", (e) => {
      if (e.name === "hang") setTimeout(() => controller.abort(), 5);
    });
    const stopped = await agent1.run("write then wait", { signal: controller.signal });
    expect(stopped.status).toBe("aborted");
    const sessionId = stopped.sessionId ?? "";

    const second = createScriptedModel([done("resumed and done")]);
    const agent2 = new Agent({ provider: second, tools: [write, hang], rules: false, session });
    const warnings: string[] = [];
    agent2.on("warning", (e) => warnings.push(e.message));
    const starts: AgentEvent[] = [];
    agent2.on("run-start", (e) => starts.push({ type: "run-start", ...e }));
    const steps: number[] = [];
    agent2.on("turn-start", (e) => steps.push(e.step));
    const resumed = await agent2.resume(sessionId);

    expect(resumed).toMatchObject({
      status: "done",
      summary: "resumed and done",
      sessionId,
      steps: 3,
    });
    expect(resumed.runId).not.toBe(stopped.runId);
    expect(steps).toEqual([3]);
    expect(starts[0]).toMatchObject({ sessionId, resumeOf: stopped.runId });
    expect(warnings.join("\n")).toMatch(/stopped while hang \(step 2\) was running/);
    // The model sees the whole history: the task, the write and its result, the hang
    // call and a result saying its effect is unknown.
    const sent = second.requests[0]?.messages ?? [];
    expect(sent.map((m) => m.role)).toEqual([
      "system",
      "user",
      "assistant",
      "user",
      "assistant",
      "user",
    ]);
    expect(sent[1]?.content).toBe("write then wait");
    expect(sent[3]?.content).toContain("wrote a.txt");
    expect(sent[4]?.content).toContain('"name":"hang"');
    expect(sent[5]?.content).toMatch(/"ok":false.*effect is unknown/);

    const list = await records(session, sessionId);
    const runStarts = list.filter((r) => r.type === "run-start");
    expect(runStarts).toHaveLength(2);
    expect(runStarts[1]).toMatchObject({
      resumeOf: stopped.runId,
      firstStep: 2,
      task: "write then wait",
    });
    const snapshot = rebuildSession(list);
    expect(snapshot.runs.map((r) => r.status)).toEqual(["aborted", "done"]);
    expect(snapshot.status).toBe("done");
    // The resumed run's first request stored only what changed since the last recorded one.
    const requests = list.filter((r): r is RequestRecord => r.type === "request");
    expect(requests.at(-1)).toMatchObject({ base: 4, count: 6 });
  });

  it("tells a call stopped at its approval question (never run) from one stopped while running", async () => {
    const session = createMemorySessionStore();
    const controller = new AbortController();
    const ran: string[] = [];
    const asked = defineTool({
      name: "touch",
      description: "Changes something.",
      inputSchema: z.object({}),
      execute: () => {
        ran.push("touch");
        return "touched";
      },
    });
    const agent1 = new Agent({
      provider: createScriptedModel([toolCallText("touch")]),
      tools: [asked],
      rules: false,
      session,
      // The question is never answered: the user stops the run while it is asked.
      approve: () => {
        setTimeout(() => controller.abort(), 5);
        return new Promise<boolean>(() => {});
      },
    });
    const stopped = await agent1.run("touch it", { signal: controller.signal });
    expect(stopped.status).toBe("aborted");
    expect(ran).toEqual([]);
    const list = await records(session, stopped.sessionId ?? "");
    expect(list.find((r) => r.type === "tool-call")).toMatchObject({ approval: "pending" });
    expect(list.some((r) => r.type === "approval")).toBe(false);
    const snapshot = rebuildSession(list);
    expect(snapshot.interruptedCall).toMatchObject({ name: "touch", state: "awaiting-approval" });
    expect(snapshot.messages.at(-1)?.content).toContain("so it was never run");

    const model = createScriptedModel([toolCallText("touch"), done("touched now")]);
    const agent2 = new Agent({
      provider: model,
      tools: [asked],
      rules: false,
      session,
      approve: () => true,
    });
    const warnings: string[] = [];
    agent2.on("warning", (e) => warnings.push(e.message));
    const resumed = await agent2.resume(stopped.sessionId ?? "");
    expect(resumed.status).toBe("done");
    expect(warnings.join("\n")).toMatch(
      /touch \(step 1\) was waiting for approval, so it never ran/,
    );
    expect(ran).toEqual(["touch"]);
    const after = await records(session, stopped.sessionId ?? "");
    expect(after.filter((r) => r.type === "approval")).toMatchObject([
      { name: "touch", approved: true },
    ]);

    // A transcript from before approvals were recorded keeps its old reading: running.
    const legacy = list.map((r) => {
      if (r.type !== "tool-call") return r;
      const { approval: _approval, ...rest } = r;
      return rest;
    });
    expect(rebuildSession(legacy).interruptedCall?.state).toBe("running");
  });

  it("rebuilds the system prompt from the current tools when resuming", async () => {
    const session = createMemorySessionStore();
    const controller = new AbortController();
    const agent1 = new Agent({
      provider: createScriptedModel([{ text: "thinking", delayMs: 50, chunkSize: 2 }]),
      tools: [echo],
      rules: false,
      session,
    });
    agent1.on("text-delta", () => controller.abort());
    const stopped = await agent1.run("t", { signal: controller.signal });
    expect(stopped.status).toBe("aborted");
    const model = createScriptedModel([done()]);
    const agent2 = new Agent({ provider: model, tools: [echo, write], rules: false, session });
    await agent2.resume(stopped.sessionId ?? "");
    const sent = model.requests[0]?.messages ?? [];
    expect(sent).toHaveLength(2);
    expect(sent[0]?.content).toContain("- write");
    expect(sent[1]?.content).toBe("t");
  });

  it("needs a follow-up message to resume a finished session and merges it into the last turn", async () => {
    const session = createMemorySessionStore();
    const agent = new Agent({
      provider: createScriptedModel([done("first")]),
      rules: false,
      session,
    });
    const first = await agent.run("task one");
    const again = new Agent({
      provider: createScriptedModel([done("second")]),
      rules: false,
      session,
    });
    await expect(again.resume(first.sessionId ?? "")).rejects.toThrow(/already finished/);
    const model = createScriptedModel([done("second")]);
    const agent2 = new Agent({ provider: model, rules: false, session });
    const result = await agent2.resume(first.sessionId ?? "", { message: "Now also add a test." });
    expect(result.summary).toBe("second");
    const sent = model.requests[0]?.messages ?? [];
    expect(sent.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(sent[3]?.content).toMatch(/<\/tool_result>\n\nNow also add a test\.$/);
  });

  it("streams a resumed run's events, ending with done", async () => {
    const session = createMemorySessionStore();
    const first = await new Agent({
      provider: createScriptedModel([done("one")]),
      rules: false,
      session,
    }).run("t");
    const agent = new Agent({
      provider: createScriptedModel([done("two")]),
      rules: false,
      session,
    });
    const seen: string[] = [];
    for await (const event of agent.resumeStream(first.sessionId ?? "", { message: "more" })) {
      seen.push(event.type);
      if (event.type === "done") expect(event.result.summary).toBe("two");
    }
    expect(seen[0]).toBe("run-start");
    expect(seen.at(-1)).toBe("done");
    const again = agent.resumeStream(first.sessionId ?? "");
    await expect(again.next()).rejects.toThrow(/already finished/);
  });

  it("rejects resume without a store, for unknown or newer sessions, with clear errors", async () => {
    const provider = createScriptedModel([done()]);
    await expect(new Agent({ provider }).resume("x")).rejects.toMatchObject({
      code: "invalid-argument",
      message: expect.stringMatching(/needs a session store/),
    });
    const session = createMemorySessionStore();
    const agent = new Agent({ provider, session });
    await expect(agent.resume("nope")).rejects.toMatchObject({ code: "invalid-argument" });
    const id = await session.create({ time: 1 });
    await expect(agent.resume(id)).rejects.toThrow(/no run to resume/);
    await session.append(id, { v: 2, type: "notice" } as unknown as TranscriptRecord);
    await expect(agent.resume(id)).rejects.toMatchObject({ code: "unsupported" });
    expect(agent.state).toBe("idle");
  });

  it("resumes from any truncation of a transcript, or fails with a GemmaCoderError", async () => {
    const session = createMemorySessionStore();
    const agent = new Agent({
      provider: createScriptedModel([
        toolCallText("echo", { text: "a" }),
        toolCallText("write", { path: "b", text: "2" }),
        done(),
      ]),
      tools: [echo, write],
      rules: false,
      session,
    });
    const { sessionId } = await agent.run("task");
    const full = session.transcript(sessionId ?? "") ?? "";
    let resumed = 0;
    for (let cut = 1; cut < full.length; cut += 7) {
      const store: SessionStore = {
        create: async () => "cut",
        append: async () => {},
        load: async () => parseTranscript(full.slice(0, cut)),
      };
      const next = new Agent({
        provider: createScriptedModel([done("again")]),
        tools: [echo, write],
        rules: false,
        session: store,
      });
      try {
        const result = await next.resume("cut", { message: "continue" });
        expect(result.status).toBe("done");
        resumed++;
      } catch (error) {
        expect(GemmaCoderError.isInstance(error)).toBe(true);
      }
    }
    expect(resumed).toBeGreaterThan(0);
  });

  it("warns once and keeps running when the store fails", async () => {
    let appends = 0;
    const store: SessionStore = {
      create: async () => "s",
      append: async () => {
        appends++;
        throw new Error("disk full");
      },
      load: async () => {
        throw new Error("unused");
      },
    };
    const agent = new Agent({
      provider: createScriptedModel([toolCallText("echo", { text: "a" }), done()]),
      tools: [echo],
      rules: false,
      session: store,
    });
    const warnings: string[] = [];
    agent.on("warning", (e) => warnings.push(`${e.kind}: ${e.message}`));
    const result = await agent.run("t");
    expect(result.status).toBe("done");
    expect(appends).toBe(1);
    expect(warnings).toEqual([expect.stringMatching(/^session: .*disk full/)]);
  });
});

describe("checkpointer hooks", () => {
  function recordingCheckpointer(fail = false) {
    const calls: string[] = [];
    const checkpointer: Checkpointer = {
      beforeChange: vi.fn(async (change: FileChange) => {
        calls.push(`before ${change.tool} ${change.step} ${JSON.stringify(change.args)}`);
        if (fail) throw new Error("no space");
      }),
      afterChange: vi.fn(async (change) => {
        calls.push(`after ${change.tool} ${change.result.ok}`);
      }),
      undo: vi.fn(async (runId: string) => ({
        runId,
        restored: ["a.txt"],
        deleted: [],
        unchanged: [],
        conflicts: [],
        notes: [],
      })),
    };
    return { checkpointer, calls };
  }

  it("checkpoints before every tool that is not read-only, and undo delegates", async () => {
    files.clear();
    const { checkpointer, calls } = recordingCheckpointer();
    const agent = new Agent({
      provider: createScriptedModel([
        toolCallText("echo", { text: "a" }),
        toolCallText("write", { path: "a.txt", text: "1" }),
        done(),
      ]),
      tools: [echo, write],
      rules: false,
      checkpointer,
    });
    const result = await agent.run("t");
    expect(calls).toEqual(['before write 2 {"path":"a.txt","text":"1"}', "after write true"]);
    expect(files.get("a.txt")).toBe("1");
    await expect(agent.undo(result.runId)).resolves.toMatchObject({ restored: ["a.txt"] });
    expect(checkpointer.undo).toHaveBeenCalledWith(result.runId, {});
  });

  it("does not run a change it could not checkpoint, and tells the model", async () => {
    files.clear();
    const { checkpointer } = recordingCheckpointer(true);
    const model = createScriptedModel([
      toolCallText("write", { path: "a.txt", text: "1" }),
      done(),
    ]);
    const agent = new Agent({ provider: model, tools: [write], rules: false, checkpointer });
    const warnings: string[] = [];
    agent.on("warning", (e) => warnings.push(e.kind));
    await agent.run("t");
    expect(files.has("a.txt")).toBe(false);
    expect(warnings).toEqual(["checkpoint"]);
    expect(model.requests[1]?.messages.at(-1)?.content).toMatch(
      /"ok":false.*could not be checkpointed \(no space\), so it was not run/,
    );
  });

  it("reports undo without a checkpointer as unsupported", async () => {
    const agent = new Agent({ provider: createScriptedModel([]) });
    await expect(agent.undo("r")).rejects.toMatchObject({ code: "unsupported" });
  });
});
