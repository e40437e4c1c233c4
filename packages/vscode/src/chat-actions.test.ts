import type { SessionSummary } from "@gemma-coder/sessions";
import { describe, expect, it } from "vitest";
import { ChatActions } from "./chat-actions.js";
import type { HostMessage, RunState } from "./protocol.js";
import type { RunStart } from "./run-controller.js";

function actionsWith(workspace: string, summaries: Partial<SessionSummary>[] = []) {
  const posted: HostMessage[] = [];
  const started: RunStart[] = [];
  const opened: [string, number | undefined][] = [];
  let stopped = 0;
  const run = {
    state: "idle" as RunState,
    lastRun: { runId: "r9", sessionId: "s-new", writes: new Map() },
    run: async (start: RunStart) => {
      started.push(start);
      return { status: "done" as const, changedFiles: [] };
    },
    stop: () => {
      stopped++;
    },
    setState: (state: RunState) =>
      posted.push({ type: "state", state, backend: "", readOnly: undefined }),
  };
  const store = { list: async () => summaries as SessionSummary[] };
  const actions = new ChatActions({
    workspace,
    run,
    sessions: async () => ({ store }) as never,
    post: (message) => posted.push(message),
    openFile: async (file, line) => {
      opened.push([file, line]);
    },
  });
  return { actions, posted, started, opened, stopped: () => stopped };
}

const done = { sessionId: "s1", updatedAt: 2, status: "done" as const, task: "fix it" };

describe("ChatActions", () => {
  it("on load sends the state and the history; a send runs the task and refreshes the history", async () => {
    const { actions, posted, started } = actionsWith("/w", [done]);
    await actions.handle({ type: "ready" });
    expect(posted.map((m) => m.type)).toEqual(["state", "sessions"]);
    await actions.handle({ type: "send", task: "fix the test" });
    expect(started).toEqual([{ kind: "task", task: "fix the test" }]);
    expect(actions.latestSession).toBe("s1");
  });

  it("resumes a session with the follow-up, but asks for one before continuing a finished session", async () => {
    const { actions, posted, started } = actionsWith("/w", [done]);
    await actions.refreshSessions();
    await actions.handle({ type: "resume", sessionId: "s1", message: undefined });
    expect(started).toEqual([]);
    expect(posted.at(-1)).toMatchObject({ type: "error", message: "Session s1 already finished." });
    await actions.handle({ type: "resume", sessionId: "s1", message: "now add a test" });
    expect(started).toEqual([{ kind: "resume", sessionId: "s1", message: "now add a test" }]);
  });

  it("stops, opens files, and refuses to run without a folder", async () => {
    const { actions, started, opened, stopped, posted } = actionsWith("");
    await actions.handle({ type: "stop" });
    await actions.handle({ type: "open-file", path: "a.py", line: 3 });
    const outcome = await actions.runAndRefresh({ kind: "task", task: "x" });
    expect(stopped()).toBe(1);
    expect(opened).toEqual([["a.py", 3]]);
    expect(started).toEqual([]);
    expect(outcome.status).toBe("error");
    expect(posted.at(-1)).toMatchObject({
      type: "error",
      message: expect.stringMatching(/open one first/),
    });
  });
});
