import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Agent, defineTool } from "@gemma-coder/core";
import { createScriptedModel, toolCallText } from "@gemma-coder/core/testing";
import { createTools } from "@gemma-coder/tools";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { makeWorkspace, type TempWorkspace } from "./__fixtures__/workspace.js";
import { createCheckpointer } from "./checkpoint/workspace-checkpointer.js";
import { FileSessionStore } from "./store/file-session-store.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(here, "__fixtures__", "killable-run.ts");
const repoRoot = path.resolve(here, "../../..");

const children: ChildProcess[] = [];
const workspaces: TempWorkspace[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  for (const made of workspaces.splice(0)) await made.cleanup();
});

/** Starts the fixture, waits for READY, kills it with SIGKILL and returns what it printed. */
async function runAndKill(ws: TempWorkspace, mode: "tool" | "stream") {
  const child = spawn(
    process.execPath,
    ["--conditions=@gemma-coder/source", "--import", "tsx", fixture, ws.root, ws.sessions, mode],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => {
    child.on("exit", (_code, signal) => resolve(signal));
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("READY\n")) resolve();
    });
    child.on("exit", () => reject(new Error(`the fixture exited early:\n${stdout}\n${stderr}`)));
  });
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");
  const match = /SESSION (\S+) (\S+)/.exec(stdout);
  expect(match, stdout).not.toBeNull();
  return { sessionId: match?.[1] ?? "", runId: match?.[2] ?? "", stdout };
}

const waitHere = defineTool({
  name: "wait_here",
  description: "Wait until killed.",
  inputSchema: z.object({}),
  readOnly: true,
  execute: () => "no longer waiting",
});

async function resume(ws: TempWorkspace, sessionId: string) {
  const store = new FileSessionStore({ dir: ws.sessions });
  const model = createScriptedModel([
    toolCallText("read_file", { path: "notes.txt" }),
    toolCallText("done", { summary: "notes.txt says two" }),
  ]);
  const agent = new Agent({
    provider: model,
    tools: [...createTools({ root: ws.root }), waitHere],
    rules: false,
    workspace: ws.root,
    session: store,
    checkpointer: createCheckpointer({ workspace: ws.root, dir: ws.sessions }),
  });
  const warnings: string[] = [];
  agent.on("warning", (e) => warnings.push(e.message));
  const result = await agent.resume(sessionId);
  return { agent, model, result, warnings, store };
}

describe("a CLI process killed with SIGKILL mid-session", () => {
  it("resumes after being killed inside a tool call, and its first run can still be undone", async () => {
    const ws = await makeWorkspace();
    workspaces.push(ws);
    const killed = await runAndKill(ws, "tool");
    expect(await ws.read("notes.txt")).toBe("two\n");

    const { agent, model, result, warnings, store } = await resume(ws, killed.sessionId);
    expect(result).toMatchObject({ status: "done", summary: "notes.txt says two", steps: 5 });
    expect(warnings.join("\n")).toMatch(/stopped while wait_here \(step 3\) was running/);
    const sent = model.requests[0]?.messages ?? [];
    expect(sent[1]?.content).toBe("Write notes.txt, then fix it.");
    expect(sent.filter((m) => m.content.includes('"name":"edit_file"'))).toHaveLength(1);
    expect(sent.at(-1)?.content).toMatch(/"ok":false.*effect is unknown/);

    const snapshot = await store.snapshot(killed.sessionId);
    expect(snapshot.runs.map((r) => [r.runId, r.status])).toEqual([
      [killed.runId, "interrupted"],
      [result.runId, "done"],
    ]);

    // The killed run's changes were checkpointed before they happened.
    const undo = await agent.undo(killed.runId);
    expect(undo).toMatchObject({ deleted: ["notes.txt"], conflicts: [] });
    expect(await ws.read("notes.txt")).toBeUndefined();
  });

  it("resumes after being killed while the model was streaming a reply", async () => {
    const ws = await makeWorkspace();
    workspaces.push(ws);
    const killed = await runAndKill(ws, "stream");
    const { model, result } = await resume(ws, killed.sessionId);
    expect(result).toMatchObject({ status: "done", steps: 5 });
    // The half-streamed reply is dropped: the model is asked again from the last request.
    const sent = model.requests[0]?.messages ?? [];
    expect(sent.map((m) => m.role)).toEqual([
      "system",
      "user",
      "assistant",
      "user",
      "assistant",
      "user",
    ]);
    expect(sent.some((m) => m.content.includes("think about this"))).toBe(false);
  });
});
