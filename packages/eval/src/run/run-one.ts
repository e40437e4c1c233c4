import path from "node:path";
import {
  Agent,
  type AgentEvent,
  type ApprovalHandler,
  GemmaCoderError,
  type RunResult,
} from "@gemma-coder/core";
import { createTools } from "@gemma-coder/tools";
import type { ApprovalPolicy, EvalSuite } from "../suite/types.js";
import { applyOverlay, prepareWorkspace } from "./prepare-workspace.js";
import { runChecks, scoreChecks } from "./run-checks.js";
import { RESULTS_VERSION, type RunRecord } from "./run-record.js";
import { transcriptFileStore } from "./transcript-file.js";
import { type PlannedRun, runKey } from "./variant.js";

/** Options of {@link runOne}. */
export interface RunOneOptions {
  /** The suite the task belongs to. */
  suite: EvalSuite;
  /** The results folder (transcripts go in its `transcripts/`). */
  outDir: string;
  /** Where clones of git fixtures are cached. */
  gitCacheDir: string;
  /** Where workspaces are made. Default: the system's temporary folder. */
  tmpDir?: string | undefined;
  /** Keep the workspace after the run (for inspection). Default `false`. */
  keepWorkspace?: boolean | undefined;
  /** Stops the run: the agent is aborted and running commands are killed. */
  signal?: AbortSignal | undefined;
}

/** How long past its own time limit an agent gets to stop before it is aborted. */
const STOP_GRACE_MS = 10_000;

/** What the agent did in one run, counted from its events. */
interface AgentTally {
  invalidReplies: number;
  toolCalls: number;
  toolErrors: number;
}

/**
 * Makes one run: a fresh workspace, the agent with the real tools (and the suite's
 * approvals) bounded in steps and time, the task's overlay, then the checks, each bounded
 * in time. The transcript is written as the run goes. A run that cannot start (the
 * workspace or the provider failed) is recorded with status `error`.
 *
 * @param run - The planned run.
 * @param options - Suite, folders and abort signal.
 * @returns The record of the run. When `signal` fired, the record is incomplete and
 *   should not be kept.
 */
export async function runOne(run: PlannedRun, options: RunOneOptions): Promise<RunRecord> {
  const { task, variant } = run;
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const key = runKey(run);
  const transcript = path.join("transcripts", variant.id, task.id, `${run.repeat}.jsonl`);
  const base = {
    v: RESULTS_VERSION,
    key,
    suite: options.suite.name,
    variant: variant.id,
    label: variant.label,
    task: task.id,
    repeat: run.repeat,
    ...(run.expected === undefined ? {} : { expected: run.expected }),
    startedAt,
  } as const;
  let workspace: Awaited<ReturnType<typeof prepareWorkspace>> | undefined;
  try {
    workspace = await prepareWorkspace(task, options);
    const tally: AgentTally = { invalidReplies: 0, toolCalls: 0, toolErrors: 0 };
    const agentStarted = performance.now();
    const result = await runAgent(run, workspace.dir, {
      file: path.join(options.outDir, transcript),
      key,
      approvals: options.suite.approvals,
      tally,
      signal: options.signal,
    });
    const agentMs = Math.round(performance.now() - agentStarted);
    await applyOverlay(task.overlay, workspace.dir);
    const checks = await runChecks(task, {
      dir: workspace.dir,
      suiteDir: options.suite.dir,
      signal: options.signal,
    });
    return {
      ...base,
      outcome: scoreChecks(checks),
      status: result.status,
      stopReason: result.stopReason,
      ...(result.error === undefined ? {} : { error: result.error.message }),
      ...(result.summary === undefined ? {} : { summary: result.summary }),
      steps: result.steps,
      ...tally,
      inputTokens: result.usage.inputTokens,
      outputTokens: result.usage.outputTokens,
      agentMs,
      checksMs: checks.reduce((sum, check) => sum + check.durationMs, 0),
      wallMs: Math.round(performance.now() - started),
      checks,
      transcript,
    };
  } catch (error) {
    return {
      ...base,
      outcome: "fail",
      status: "error",
      stopReason: "error",
      error: error instanceof Error ? error.message : String(error),
      steps: 0,
      invalidReplies: 0,
      toolCalls: 0,
      toolErrors: 0,
      inputTokens: 0,
      outputTokens: 0,
      agentMs: 0,
      checksMs: 0,
      wallMs: Math.round(performance.now() - started),
      checks: [],
    };
  } finally {
    if (workspace && !options.keepWorkspace) await workspace.remove();
  }
}

/** Runs the agent in the workspace and counts what it did. */
async function runAgent(
  run: PlannedRun,
  dir: string,
  options: {
    file: string;
    key: string;
    approvals: ApprovalPolicy;
    tally: AgentTally;
    signal: AbortSignal | undefined;
  },
): Promise<RunResult> {
  const { task, variant } = run;
  const provider = await variant.provider({ task, repeat: run.repeat });
  // The agent stops itself at its time limit; this deadline is for an agent that would not.
  const deadline = AbortSignal.timeout(task.timeoutMs + STOP_GRACE_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const agent = new Agent({
    ...variant.agentOptions,
    provider,
    tools: createTools({
      root: dir,
      readOnly: options.approvals === "read-only",
      shellTimeoutMs: Math.min(task.timeoutMs, 120_000),
    }),
    approve: approvalFor(options.approvals),
    workspace: dir,
    maxSteps: task.maxSteps,
    timeoutMs: task.timeoutMs,
    session: transcriptFileStore(options.file, options.key),
  });
  const unsubscribe = agent.onEvent((event: AgentEvent) => tallyEvent(options.tally, event));
  try {
    const result = await agent.run(task.prompt, { signal });
    if (result.status === "aborted" && deadline.aborted && !options.signal?.aborted) {
      return {
        ...result,
        status: "failed",
        stopReason: "timeout",
        error: new GemmaCoderError("The agent did not stop at its time limit.", {
          code: "timeout",
        }),
      };
    }
    return result;
  } finally {
    // A variant's provider may serve other runs: the variant disposes of it at the end.
    unsubscribe();
  }
}

function tallyEvent(tally: AgentTally, event: AgentEvent): void {
  if (event.type === "invalid-reply") tally.invalidReplies++;
  else if (event.type === "tool-call") tally.toolCalls++;
  else if (event.type === "tool-result" && !event.result.ok) tally.toolErrors++;
}

/** The approval hook of a suite's policy. */
function approvalFor(policy: ApprovalPolicy): ApprovalHandler {
  if (policy === "no-shell") {
    return ({ tool }) =>
      tool === "run_shell" ? { allow: false, reason: "this eval suite allows no commands" } : true;
  }
  return () => true;
}
