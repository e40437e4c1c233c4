import { promises as fs } from "node:fs";
import path from "node:path";
import { Agent, type ModelProvider, type RunResult } from "@gemma-coder/core";
import type { CliArgs } from "../args.js";
import type { Env, Settings } from "../config/resolve-settings.js";
import { type EquippedRun, mapEquipment } from "../map/equip-run.js";
import { FileChanges } from "./file-changes.js";
import { formatTaskOutcome, type TaskOutcome } from "./task-result.js";

/** A progress update for the host: the step, the most steps, and what is happening. */
export interface TaskProgress {
  progress: number;
  total: number;
  message: string;
}

/** What one `run_task` call runs with. */
export interface RunTaskSetup {
  args: CliArgs;
  workspace: string;
  /** The environment (where the repository map's cache folder is). */
  env: Env;
  settings: Settings;
  provider: ModelProvider;
  /** The transcript store and checkpointer, when sessions are on. */
  sessions: Pick<import("@gemma-coder/sessions").Sessions, "store" | "checkpointer"> | undefined;
  /** Sends a progress notification (when the host asked for them). */
  progress: (update: TaskProgress) => void;
  /** The host's cancellation (its own, or its tool-call timeout). */
  signal: AbortSignal;
  /** Writes a log line (stderr). */
  log: (text: string) => void;
}

/** Why changes are refused, for the result and the model. */
export const REFUSED_WITHOUT_YES =
  "gemma-coder mcp was started without --yes, so it may not change files or run commands. Register it with --yes to allow changes, or --read-only to offer only reading tools.";

const DEFAULT_MAX_STEPS = 40;

/**
 * Runs one task for the host: an agent confined to the workspace with the default tools
 * (only the reading ones with `--read-only`), changes allowed with `--yes` and refused
 * otherwise, progress at each step and tool call, and the host's cancellation aborting
 * the run. Returns the summary, the status and the files changed with diffs, as text and
 * as structured content.
 *
 * @param task - What to do.
 * @param maxSteps - The host's cap on model turns, if any.
 * @param setup - Settings, backend, sessions, progress and cancellation.
 * @returns The text and the structured outcome.
 */
export async function runTask(
  task: string,
  maxSteps: number | undefined,
  setup: RunTaskSetup,
): Promise<{ text: string; outcome: TaskOutcome }> {
  const { args, workspace, settings } = setup;
  const { createTools } = await import("@gemma-coder/tools");
  const rules = args.noRules
    ? false
    : args.rules === undefined
      ? undefined
      : await fs.readFile(path.resolve(workspace, args.rules), "utf8");
  // MCP servers of the config (--mcp-config, mcpServers) live for one task.
  const mcp = settings.mcpServers
    ? await (await import("../mcp-tools.js")).startMcpTools(settings.mcpServers, {
        ...{ workspace, readOnly: args.readOnly },
        warn: (warning) => setup.log(warning.message),
      })
    : undefined;
  try {
    const equip = await mapEquipment({ workspace, env: setup.env, settings });
    const { tools, ...mapOptions } = equip(
      createTools({ root: workspace, readOnly: args.readOnly }),
    );
    return await runAgent(task, maxSteps, setup, rules, {
      tools: [...tools, ...(mcp?.tools ?? [])],
      ...mapOptions,
    });
  } finally {
    await mcp?.close();
  }
}

/** Runs the agent with its tools and turns its result into the reply. */
async function runAgent(
  task: string,
  maxSteps: number | undefined,
  setup: RunTaskSetup,
  rules: string | false | undefined,
  equipped: EquippedRun,
): Promise<{ text: string; outcome: TaskOutcome }> {
  const { args, workspace, settings, provider } = setup;
  let refused = 0;
  const steps = maxSteps ?? settings.maxSteps ?? DEFAULT_MAX_STEPS;
  const agent = new Agent({
    provider,
    ...equipped,
    approve: () => {
      if (args.yes) return true;
      refused++;
      return { allow: false, reason: REFUSED_WITHOUT_YES };
    },
    rules,
    workspace,
    maxSteps: steps,
    ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
    ...(settings.contextWindow === undefined ? {} : { contextWindow: settings.contextWindow }),
    ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
    ...(setup.sessions
      ? { session: setup.sessions.store, checkpointer: setup.sessions.checkpointer }
      : {}),
  });
  const changes = new FileChanges(agent, workspace);
  agent.on("turn-start", ({ step }) =>
    setup.progress({ progress: step, total: steps, message: `step ${step}: asking the model` }),
  );
  agent.on("tool-call", ({ step, name, args: callArgs }) => {
    const target = typeof callArgs.path === "string" ? ` ${callArgs.path}` : "";
    setup.progress({ progress: step, total: steps, message: `step ${step}: ${name}${target}` });
  });
  const result: RunResult = await agent.run(task, { signal: setup.signal });
  const outcome: TaskOutcome = {
    status: result.status,
    stopReason: result.stopReason,
    summary: result.summary ?? "",
    message: result.message,
    steps: result.steps,
    filesChanged: await changes.list(),
    refused,
    runId: result.runId,
  };
  return { text: formatTaskOutcome(outcome, REFUSED_WITHOUT_YES), outcome };
}
