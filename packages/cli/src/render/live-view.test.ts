import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Agent, type AgentEvent, type AgentEventName, GemmaCoderError } from "@gemma-coder/core";
import { createScriptedModel, type ScriptedReply, toolCallText } from "@gemma-coder/core/testing";
import { createTools } from "@gemma-coder/tools";
import pc from "picocolors";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApprover } from "../approval.js";
import { formatDuration, LiveView, type LiveViewOptions } from "./live-view.js";

const NAMES: AgentEventName[] = [
  "turn-start",
  "text-delta",
  "turn-restart",
  "turn-end",
  "tool-call",
  "tool-result",
  "invalid-reply",
  "usage",
  "notice",
  "warning",
  "done",
];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "gemma-coder-view-"));
  writeFileSync(path.join(dir, "calc.py"), "def add(a, b):\n    return a - b\n");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function sink(isTTY = false) {
  const chunks: string[] = [];
  return { isTTY, write: (text: string) => chunks.push(text), text: () => chunks.join("") };
}

/** A live view in plain mode without colours, as piped output gets it. */
function plainView(options: Pick<LiveViewOptions, "stdout" | "stderr"> & Partial<LiveViewOptions>) {
  const colors = pc.createColors(false);
  return new LiveView({ colors, errColors: colors, live: false, verbose: false, ...options });
}

async function render(
  replies: Array<string | ScriptedReply>,
  options: { colors?: boolean; approve?: "allow-all" | "refuse"; verbose?: boolean } = {},
) {
  const stdout = sink();
  const stderr = sink();
  const colors = pc.createColors(options.colors ?? false);
  const view = new LiveView({
    stdout,
    stderr,
    colors,
    errColors: colors,
    live: false,
    verbose: options.verbose ?? false,
  });
  const agent = new Agent({
    provider: createScriptedModel(replies),
    tools: createTools({
      root: dir,
      approve: createApprover({ mode: options.approve ?? "allow-all" }),
    }),
    rules: false,
    turnRetry: { sleep: async () => {} },
  });
  for (const name of NAMES)
    agent.on(name, (payload: object) => view.handle({ type: name, ...payload } as AgentEvent));
  const result = await agent.run("fix add");
  view.summary(result, false);
  return { out: stdout.text(), err: stderr.text(), result, view };
}

const fix = [
  {
    text: `I will read the file first.\n${toolCallText("read_file", { path: "calc.py" })}`,
    usage: { inputTokens: 1200, outputTokens: 40 },
  },
  {
    text: `Found it.\n\`\`\`json\n${toolCallText("edit_file", { path: "calc.py", old: "a - b", new: "a + b" })}\n\`\`\``,
    chunkSize: 3,
  },
  toolCallText("done", { summary: "add() now adds." }),
];

describe("LiveView in plain mode", () => {
  it("prints prose, one line per tool call with its result, and a summary", async () => {
    const { out } = await render(fix);
    expect(out).toContain("I will read the file first.\n→ read_file calc.py\n  ✓ 2 lines\n");
    expect(out).toContain("Found it.\n→ edit_file calc.py\n  ✓ Edited calc.py");
    expect(out).toMatch(
      /✓ done · 3 steps · .* · 1,200 tokens in, 40 out\n {2}add\(\) now adds\.\n {2}changed: calc\.py\n$/,
    );
    expect(out).not.toContain("<tool>");
    expect(out).not.toContain("```");
  });

  it("writes no escape codes when colour is off", async () => {
    const { out, err } = await render(fix);
    expect(out + err).not.toMatch(/\x1b\[/);
  });

  it("colours the marks when colour is on", async () => {
    const { out } = await render(fix, { colors: true });
    expect(out).toMatch(/\x1b\[32m✓/);
  });

  it("marks new files, counts refused changes and says how to allow them", async () => {
    const { out, result } = await render(
      [
        toolCallText("write_file", { path: "new.txt", content: "x\n" }),
        toolCallText("done", { summary: "tried" }),
      ],
      { approve: "refuse" },
    );
    expect(result.status).toBe("done");
    expect(out).toContain("  ✗ write_file was denied by the user: not approved: run with --yes");
    expect(out).toContain(
      "1 change was refused: there was no terminal to ask. Run with --yes to allow changes.",
    );
    const created = await render([
      toolCallText("write_file", { path: "new.txt", content: "x\n" }),
      toolCallText("done", { summary: "ok" }),
    ]);
    expect(created.out).toContain("changed: new.txt (new)");
  });

  it("shows unusable replies and the stop reason of a failed run", async () => {
    const { out, result } = await render(["no call here", "still none", "nope"]);
    expect(result.status).toBe("failed");
    expect(out).toContain("  ! unusable reply (1): Your reply had no tool call.\n");
    // Not the lead-in to an example the line does not show.
    expect(out).not.toContain("in this form:");
    expect(out).toMatch(/✗ stopped · 3 steps/);
    expect(out).toContain("without a usable tool call");
    expect(out).toContain("no files were changed");
  });

  it("drops the unprinted text of a broken reply and says the turn is asked again", async () => {
    const { out, result } = await render([
      {
        text: `Half a thought ${toolCallText("read_file", { path: "calc.py" })}`,
        error: new GemmaCoderError("connection reset", { code: "provider-stream" }),
        failAfterChars: 10,
      },
      `Reading it.\n${toolCallText("read_file", { path: "calc.py" })}`,
      toolCallText("done", { summary: "read" }),
    ]);
    expect(result.status).toBe("done");
    expect(out).not.toContain("Half a");
    expect(out).toContain(
      "  ↺ the reply broke off (connection reset); its text is withdrawn and the turn is asked again (retry 1 of 2)\nReading it.\n→ read_file calc.py\n",
    );
  });

  it("says on stderr, every few seconds at most, that a slow model is still writing", () => {
    const stdout = sink();
    const stderr = sink();
    let clock = 0;
    const view = plainView({
      stdout,
      stderr,
      now: () => clock,
    });
    const runId = "r";
    view.handle({ type: "turn-start", runId, step: 1 });
    for (let second = 1; second <= 12; second++) {
      clock = second * 1000;
      view.handle({ type: "text-delta", runId, step: 1, text: "word " });
    }
    // Nothing reached stdout (no newline yet), but stderr said so twice in 12 seconds.
    expect(stdout.text()).toBe("");
    expect(stderr.text()).toBe(
      "… the model is still writing (25 characters, 5.0s)\n… the model is still writing (50 characters, 10.0s)\n",
    );
  });

  it("says on stderr every few seconds that it waits for a first token that does not come", () => {
    const stderr = sink();
    let clock = 0;
    const ticks: Array<() => void> = [];
    let stopped = 0;
    const view = plainView({
      stdout: sink(),
      stderr,
      now: () => clock,
      every: (_ms, tick) => {
        ticks.push(tick);
        return () => stopped++;
      },
    });
    view.handle({ type: "turn-start", runId: "r", step: 1 });
    expect(ticks).toHaveLength(1);
    for (let second = 1; second <= 11; second++) {
      clock = second * 1000;
      ticks[0]?.();
    }
    expect(stderr.text()).toBe("… waiting for the model (5.0s)\n… waiting for the model (10.0s)\n");
    view.handle({ type: "tool-call", runId: "r", step: 1, name: "read_file", args: {} });
    expect(stopped).toBe(1);
  });

  it("shows the raw model text with --verbose", async () => {
    const { out } = await render(fix, { verbose: true });
    expect(out).toContain('{"name":"read_file"');
  });

  it("strips escape sequences and carriage returns from what the model writes", async () => {
    const hostile = "Done.\x1b]52;c;ZXZpbA==\x07 \x1b[2J\rOK\n";
    const { out } = await render([
      { text: `${hostile}${toolCallText("done", { summary: `ok\x1b[31m red` })}` },
    ]);
    expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(out).toContain("Done.]52;c;ZXZpbA== [2JOK");
    expect(out).toContain("ok[31m red");
  });

  it("drops bidi overrides and isolates from what the model writes, so a summary cannot reorder itself", async () => {
    const { out } = await render([
      {
        text: `Fixed\u202e.txt\u2066 ok\n${toolCallText("done", { summary: "rm \u202dx\u2069" })}`,
      },
    ]);
    expect(out).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    expect(out).toContain("Fixed.txt ok");
    expect(out).toContain("rm x");
  });

  it("prints whole lines only, so output piped to a file is not torn mid-line", async () => {
    const stdout = sink();
    const view = plainView({
      stdout,
      stderr: sink(),
    });
    view.handle({ type: "turn-start", runId: "r", step: 1 });
    view.handle({ type: "text-delta", runId: "r", step: 1, text: "half a li" });
    expect(stdout.text()).toBe("");
    view.handle({ type: "text-delta", runId: "r", step: 1, text: "ne\nnext" });
    expect(stdout.text()).toBe("half a line\n");
    view.handle({ type: "turn-end", runId: "r", step: 1, text: "", finishReason: "stop" });
    expect(stdout.text()).toBe("half a line\nnext\n");
  });
});

describe("LiveView.setStatus", () => {
  it("shows a slow first step once as a note in plain mode", () => {
    const stderr = sink();
    const view = plainView({
      stdout: sink(),
      stderr,
    });
    view.setStatus("loading the model into memory 10%");
    view.setStatus("loading the model into memory 60%");
    view.setStatus(undefined);
    expect(stderr.text()).toBe("loading the model into memory…\n");
  });

  it("says every few seconds how far loading got, before the first turn started", () => {
    const stderr = sink();
    let clock = 0;
    let tick: (() => void) | undefined;
    const view = plainView({
      stdout: sink(),
      stderr,
      now: () => clock,
      every: (_ms, fn) => {
        tick = fn;
        return () => {
          tick = undefined;
        };
      },
    });
    view.setStatus("loading the model into memory 0%");
    for (let second = 1; second <= 10; second++) {
      clock = second * 1000;
      view.setStatus(`loading the model into memory ${second * 10}%`);
      tick?.();
    }
    view.setStatus(undefined);
    expect(tick).toBeUndefined();
    expect(stderr.text()).toBe(
      "loading the model into memory…\n… loading the model into memory 50% (5.0s)\n… loading the model into memory 100% (10.0s)\n",
    );
  });

  it("starts the spinner on a terminal as soon as loading starts", () => {
    const stderr = sink(true);
    const view = plainView({
      stdout: sink(true),
      stderr,
      live: true,
    });
    view.setStatus("loading the model into memory 5%");
    expect(stderr.text()).toContain("loading the model into memory 5%");
    view.setStatus(undefined);
    expect(stderr.text().endsWith("\r\x1b[2K")).toBe(true);
  });
});

describe("formatDuration", () => {
  it("picks a readable unit", () => {
    expect(formatDuration(850)).toBe("850ms");
    expect(formatDuration(12_340)).toBe("12.3s");
    expect(formatDuration(125_000)).toBe("2m 05s");
  });
});
