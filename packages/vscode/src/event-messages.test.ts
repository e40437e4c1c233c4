import type { AgentEvent } from "@gemma-coder/core";
import { describe, expect, it } from "vitest";
import { EventMessages } from "./event-messages.js";

const runId = "r1";

function feed(view: EventMessages, events: AgentEvent[]) {
  return events.flatMap((event) => view.messagesOf(event));
}

describe("EventMessages", () => {
  it("streams the prose without the tool-call markup", () => {
    const view = new EventMessages();
    const messages = feed(view, [
      { type: "turn-start", runId, step: 1 },
      { type: "text-delta", runId, step: 1, text: "Let me read it.\n<to" },
      {
        type: "text-delta",
        runId,
        step: 1,
        text: 'ol>{"name": "read_file", "args": {"path": "a.py"}}</tool>',
      },
      { type: "turn-end", runId, step: 1, text: "", finishReason: "stop" },
    ]);
    expect(messages.map((m) => (m.type === "prose" ? m.text : m.type)).join("")).toBe(
      "Let me read it.",
    );
  });

  it("makes a card per call, with the file link, and finishes it ok, error or denied", () => {
    const view = new EventMessages();
    const call = (step: number, name: string, args: Record<string, unknown>): AgentEvent => ({
      type: "tool-call",
      runId,
      step,
      name,
      args,
    });
    const result = (step: number, name: string, ok: boolean): AgentEvent => ({
      type: "tool-result",
      runId,
      step,
      name,
      durationMs: 1,
      result: ok ? { ok: true, value: "fine" } : { ok: false, error: "no" },
    });
    const messages = feed(view, [
      call(1, "read_file", { path: "src/a.py", start_line: 12 }),
      result(1, "read_file", true),
    ]);
    expect(messages[0]).toEqual({
      type: "tool-call",
      id: "r1:1",
      tool: "read_file",
      title: "src/a.py",
      files: [{ path: "src/a.py", line: 12 }],
    });
    expect(messages[1]).toMatchObject({
      type: "tool-result",
      id: "r1:1",
      status: "ok",
      detail: "fine",
    });
    expect(
      feed(view, [call(2, "run_shell", { command: "npm test" }), result(2, "run_shell", false)])[1],
    ).toMatchObject({
      status: "error",
    });
    const denied = feed(view, [call(3, "edit_file", { path: "a.py", old: "1", new: "2" })]);
    expect(denied[0]).toMatchObject({ title: "a.py" });
    view.markDenied();
    expect(feed(view, [result(3, "edit_file", false)])[0]).toMatchObject({ status: "denied" });
  });

  it("links a search card to its first matches", () => {
    const view = new EventMessages();
    const messages = feed(view, [
      { type: "tool-call", runId, step: 1, name: "search", args: { pattern: "add" } },
      {
        type: "tool-result",
        runId,
        step: 1,
        name: "search",
        durationMs: 1,
        result: { ok: true, value: "calc.py:2:    return add(a, b)\nsrc/x.py:10:add()" },
      },
    ]);
    expect(messages[1]).toMatchObject({
      files: [
        { path: "calc.py", line: 2 },
        { path: "src/x.py", line: 10 },
      ],
    });
  });

  it("withdraws a restarted turn's prose and leaves done to the summary", () => {
    const view = new EventMessages();
    const messages = feed(view, [
      {
        type: "turn-restart",
        runId,
        step: 2,
        attempt: 1,
        retries: 2,
        reason: { code: "x", message: "y" },
        withdrawn: "ab",
        delayMs: 0,
      },
      { type: "tool-call", runId, step: 3, name: "done", args: { summary: "ok" } },
    ]);
    expect(messages).toEqual([{ type: "prose-withdrawn", step: 2 }]);
  });
});
