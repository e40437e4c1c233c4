import { readFileSync } from "node:fs";
import { createScriptedModel, toolCallText } from "@gemma-coder/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { controllerFor } from "./__fixtures__/controller.js";
import { tempWorkspace } from "./__fixtures__/temp-workspace.js";
import { BackendError } from "./open-provider.js";
import type { HostMessage } from "./protocol.js";

let workspace: ReturnType<typeof tempWorkspace>;
afterEach(() => workspace.dispose());

const fixCall = toolCallText("edit_file", { path: "calc.py", old: "a - b", new: "a + b" });
const done = toolCallText("done", { summary: "Fixed add() in calc.py." });

function cards(messages: HostMessage[]) {
  return messages.flatMap((m) => (m.type === "tool-result" ? [m] : []));
}

describe("RunController", () => {
  it("runs a fix: asks, applies the accepted change through the editor, and reports the summary", async () => {
    workspace = tempWorkspace({ "calc.py": "def add(a, b):\n    return a - b\n" });
    const model = createScriptedModel([`I will fix it.\n${fixCall}`, done]);
    const { controller, messages, states } = controllerFor(workspace.root, model, {
      onAsk: (_pending, approvals) => approvals.answer("accept"),
    });
    const outcome = await controller.run({ kind: "task", task: "fix add" });
    expect(outcome).toEqual({
      status: "done",
      summary: "Fixed add() in calc.py.",
      changedFiles: ["calc.py"],
    });
    expect(readFileSync(workspace.file("calc.py"), "utf8")).toContain("return a + b");
    expect(states).toEqual(["running", "waiting-approval", "running", "done"]);
    expect(messages).toContainEqual({ type: "prose", step: 1, text: "I will fix it." });
    expect(messages.some((m) => m.type === "prose" && m.text.includes("<tool>"))).toBe(false);
    expect(cards(messages).map((c) => c.status)).toEqual(["ok"]);
    expect(messages.at(-2)).toEqual({
      type: "summary",
      text: "Fixed add() in calc.py.",
      changedFiles: ["calc.py"],
    });
  });

  it("leaves the file alone when the change is rejected, and marks the card denied", async () => {
    workspace = tempWorkspace({ "calc.py": "def add(a, b):\n    return a - b\n" });
    const model = createScriptedModel([
      fixCall,
      toolCallText("done", { summary: "The user said no." }),
    ]);
    const { controller, messages, documents } = controllerFor(workspace.root, model, {
      onAsk: (_pending, approvals) => approvals.answer("reject"),
    });
    const outcome = await controller.run({ kind: "task", task: "fix add" });
    expect(outcome.changedFiles).toEqual([]);
    expect(documents.edits).toEqual([]);
    expect(readFileSync(workspace.file("calc.py"), "utf8")).toContain("return a - b");
    expect(cards(messages).map((c) => c.status)).toEqual(["denied"]);
  });

  it("stop aborts the run at once, even while it waits for an answer", async () => {
    workspace = tempWorkspace({ "calc.py": "return a - b\n" });
    const model = createScriptedModel([fixCall, done]);
    const { controller, documents } = controllerFor(workspace.root, model, {
      onAsk: () => controller.stop(),
    });
    const outcome = await controller.run({ kind: "task", task: "fix add" });
    expect(outcome.status).toBe("stopped");
    expect(controller.state).toBe("stopped");
    expect(controller.running).toBe(false);
    expect(documents.edits).toEqual([]);
  });

  it("in an untrusted workspace offers no tool that writes or runs commands, and says so", async () => {
    workspace = tempWorkspace({ "calc.py": "return a - b\n" });
    const shell = toolCallText("run_shell", { command: "touch pwned" });
    const model = createScriptedModel([fixCall, shell, done]);
    const { controller, messages, documents } = controllerFor(workspace.root, model, {
      trusted: false,
      onAsk: (_pending, approvals) => approvals.answer("accept"),
    });
    await controller.run({ kind: "task", task: "fix add" });
    const systemPrompt = String(model.requests[0]?.messages[0]?.content ?? "");
    const offered = [...systemPrompt.matchAll(/^- (\w+) \{/gm)].map((match) => match[1]);
    expect(offered).toEqual(["done", "read_file", "list_files", "search"]);
    expect(documents.edits).toEqual([]);
    expect(readFileSync(workspace.file("calc.py"), "utf8")).toBe("return a - b\n");
    expect(readFileSync(workspace.file("calc.py"), "utf8")).toBe("return a - b\n");
    expect(cards(messages).filter((c) => c.status === "ok")).toEqual([]);
    expect(messages).toContainEqual({
      type: "note",
      text: "Read-only: this workspace is not trusted.",
    });
  });

  it("a backend that fails its check ends in an error with the fix, and the next run can start", async () => {
    workspace = tempWorkspace();
    const down = async (): Promise<never> => {
      throw new BackendError(
        "Cannot reach Ollama at http://127.0.0.1:9: nothing answered.",
        "Start Ollama.",
        "provider-connection",
      );
    };
    const { controller, messages } = controllerFor(workspace.root, down);
    const outcome = await controller.run({ kind: "task", task: "anything" });
    expect(outcome).toEqual({
      status: "error",
      changedFiles: [],
      error: "Cannot reach Ollama at http://127.0.0.1:9: nothing answered. Start Ollama.",
    });
    expect(messages).toContainEqual({
      type: "error",
      message: "Cannot reach Ollama at http://127.0.0.1:9: nothing answered.",
      fix: "Start Ollama.",
    });
    expect(controller.running).toBe(false);
  });

  it("refuses a second run while one is in progress", async () => {
    workspace = tempWorkspace({ "calc.py": "return a - b\n" });
    const model = createScriptedModel([fixCall, done]);
    let second: Promise<unknown> | undefined;
    const { controller } = controllerFor(workspace.root, model, {
      onAsk: (_pending, approvals) => {
        second = controller.run({ kind: "task", task: "again" });
        approvals.answer("accept");
      },
    });
    await controller.run({ kind: "task", task: "fix" });
    expect(await second).toMatchObject({
      status: "error",
      error: expect.stringMatching(/already in progress/),
    });
  });
});
