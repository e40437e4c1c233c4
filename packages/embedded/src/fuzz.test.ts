import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  Agent,
  type AgentEvent,
  type AnyTool,
  buildToolCallGrammar,
  type ChatRequest,
  type ModelProvider,
  planToolCallConstraint,
  type RunResult,
} from "@gemma-coder/core";
import { type ApprovalRequest, createTools } from "@gemma-coder/tools";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyModel } from "./__fixtures__/tiny-model.js";
import { createEmbedded, type EmbeddedProvider } from "./create-embedded.js";

/**
 * The whole stack driven by noise: the Agent with the default tools in a temporary
 * workspace, a random-weight model sampling hot under the tool-call grammar. Every
 * reply must be a valid call, the runs must end by `done` or the step limit, nothing
 * may change outside the workspace, and no process may be left behind (`run_shell` is
 * denied by the approval hook, so random commands never run).
 */

/** Runs continue until this many turns have been played (each run ends by done or MAX_STEPS). */
const MIN_TURNS = 60;
const MAX_RUNS = 40;
const MAX_STEPS = 10;
const CAPS = { maxStringChars: 12, maxArrayItems: 2, maxPreambleChars: 24 };

let base: string;
let workspace: string;
let outside: string;
let model: Awaited<ReturnType<typeof tinyModel>>;
let provider: EmbeddedProvider;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), "gemma-coder-fuzz-"));
  workspace = path.join(base, "workspace");
  outside = path.join(base, "outside");
  await mkdir(path.join(workspace, "src"), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(workspace, "app.py"), "def add(a, b):\n    return a - b\n");
  await writeFile(path.join(workspace, "src", "util.ts"), "export const x = 1;\n");
  await writeFile(path.join(workspace, "README.md"), "# demo\n");
  await writeFile(path.join(outside, "secret.txt"), "TOP SECRET\n");
  model = await tinyModel(23);
  provider = createEmbedded({
    model: model.file,
    contextSize: 16384,
    gpu: false,
    threads: 1,
    temperature: 2,
    seed: 7,
  });
  await provider.load();
});

afterAll(async () => {
  await provider?.dispose();
  await model?.cleanup();
  if (base) await rm(base, { recursive: true, force: true });
});

/**
 * Passes requests through, swapping the agent's grammar for the same grammar with
 * bounded strings: hot noise fills every string to its limit, and unbounded strings
 * would end replies at the token limit rather than at `</tool>`.
 */
function withBoundedGrammar(inner: ModelProvider, tools: () => readonly AnyTool[]): ModelProvider {
  return {
    id: inner.id,
    capabilities: inner.capabilities ?? {},
    contextWindow: () => inner.contextWindow?.() ?? Promise.resolve(undefined),
    countTokens: (text) => inner.countTokens?.(text) ?? Promise.resolve(0),
    streamChat(request: ChatRequest) {
      const sent = request.constraint;
      const expected = planToolCallConstraint({
        tools: tools(),
        capabilities: inner.capabilities,
        mode: "grammar",
        maxOutputTokens: request.maxTokens,
      }).constraint;
      if (
        sent?.type !== "grammar" ||
        expected?.type !== "grammar" ||
        sent.grammar !== expected.grammar
      ) {
        throw new Error("the agent did not send the tool-call grammar");
      }
      return inner.streamChat({
        ...request,
        constraint: { type: "grammar", grammar: buildToolCallGrammar(tools(), CAPS) },
      });
    },
  };
}

function childProcesses(): string[] {
  if (process.platform !== "linux") return [];
  try {
    const out = execFileSync("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)], {
      encoding: "utf8",
    });
    return out
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !/\bps$/.test(line));
  } catch {
    return [];
  }
}

describe("fuzz: the agent driven by a random model under the grammar", () => {
  it("runs many turns with only valid calls, inside the workspace, leaving no process", async () => {
    const approvals: ApprovalRequest[] = [];
    const tools = createTools({
      root: workspace,
      approve: (request) => {
        approvals.push(request);
        return request.tool === "run_shell"
          ? { allow: false, reason: "random commands are not run" }
          : true;
      },
    });
    const before = childProcesses();
    const results: RunResult[] = [];
    const events: AgentEvent[] = [];
    let turns = 0;
    for (let run = 0; run < MAX_RUNS && turns < MIN_TURNS; run++) {
      const agent: Agent = new Agent({
        provider: withBoundedGrammar(provider, (): readonly AnyTool[] => agent.tools),
        tools,
        rules: false,
        maxSteps: MAX_STEPS,
        maxOutputTokens: 1024,
        // Noise repeats itself now and then; the repeat guard is tested elsewhere.
        repeatStopAt: 1000,
        constrainedDecoding: "grammar",
      });
      for await (const event of agent.stream(`Random task number ${run}.`)) {
        events.push(event);
        if (event.type === "turn-start") turns++;
        if (event.type === "done") results.push(event.result);
      }
    }

    expect(turns).toBeGreaterThanOrEqual(MIN_TURNS);
    expect(results.length).toBeGreaterThan(1);
    for (const result of results) {
      expect(["done", "max-steps"], result.message).toContain(result.stopReason);
    }
    // Every reply was a usable call: nothing invalid, no nudges, no provider error.
    expect(events.filter((e) => e.type === "invalid-reply")).toEqual([]);
    expect(events.filter((e) => e.type === "error")).toEqual([]);
    expect(events.filter((e) => e.type === "warning")).toEqual([]);
    const calls = events.filter((e) => e.type === "tool-call");
    expect(calls.length).toBe(turns);
    expect(
      new Set(calls.map((e) => (e.type === "tool-call" ? e.name : ""))).size,
    ).toBeGreaterThanOrEqual(3);

    // run_shell, when chosen, was refused before anything ran.
    for (const event of events) {
      if (event.type === "tool-result" && event.name === "run_shell") {
        expect(event.result.ok).toBe(false);
      }
    }
    const shellCalls = calls.filter((e) => e.type === "tool-call" && e.name === "run_shell");
    expect(approvals.filter((a) => a.tool === "run_shell")).toHaveLength(shellCalls.length);

    // Nothing escaped the workspace.
    expect((await readdir(base)).sort()).toEqual(["outside", "workspace"]);
    expect(await readdir(outside)).toEqual(["secret.txt"]);
    expect(await readFile(path.join(outside, "secret.txt"), "utf8")).toBe("TOP SECRET\n");
    expect(childProcesses()).toEqual(before);
    // Generation is CPU-bound: on a busy machine the turns take far longer than the default
    // timeout allows, and how long they take is not what this test checks.
  }, 300_000);
});
