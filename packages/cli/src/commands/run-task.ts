import { promises as fs } from "node:fs";
import path from "node:path";
import { Agent } from "@gemma-coder/core";
import { type ApprovalMode, createApprover } from "../approval.js";
import type { CliArgs } from "../args.js";
import { resolveSettings, type Settings } from "../config/resolve-settings.js";
import { constrainedModeFor } from "../constrained-mode.js";
import type { ExitCode } from "../exit-codes.js";
import { type ChosenProvider, chooseProvider } from "../run/choose-provider.js";
import { driveAgent, type Start } from "../run/drive-agent.js";
import type { Invocation } from "../run/invocation.js";
import { errorText } from "../run/reporter.js";
import type { RunModules } from "../run/run-modules.js";
import { findSession, openSessions, sessionOptions } from "../run/session-lookup.js";
import { type CommandContext, withInvocation } from "./command-context.js";

/**
 * The default command: a task, or `--resume` / `--continue`.
 *
 * @param args - The parsed command line.
 * @param ctx - Streams, environment and folders.
 * @returns The exit code.
 */
export function runTaskCommand(args: CliArgs, ctx: CommandContext): Promise<ExitCode> {
  return withInvocation(args, ctx, (inv, modules) => runTask(inv, args.task, modules));
}

/**
 * `gemma-coder "<task>"`, `--resume` and `--continue`: read the settings, settle which
 * session to continue (before any backend is touched), read the rules file, choose the
 * backend, build the agent, and drive it.
 *
 * @param inv - The invocation.
 * @param task - The task, or the follow-up message when continuing a session.
 * @param modules - The modules the run loads.
 * @returns The exit code.
 */
export async function runTask(
  inv: Invocation,
  task: string | undefined,
  modules: RunModules,
): Promise<ExitCode> {
  const settings = await readSettings(inv);
  if (typeof settings === "number") return settings;
  const start = await startOf(inv, task, modules, settings);
  if (typeof start === "number") return start;
  const rules = await readRules(inv);
  if (typeof rules === "number") return rules;
  const mcp = await startMcpServers(inv, settings);
  if (typeof mcp === "number") return mcp;
  let ready: ChosenProvider;
  try {
    ready = await chooseProvider(inv, settings);
    inv.provider = ready.provider;
    // For a new task the sessions library is needed only by the agent, so it loads
    // once the backend answered: the first request to it is not held up.
    if (!inv.args.resume) await openSessions(inv, modules, inv.workspace, settings.sessionsDir);
  } catch (error) {
    return inv.report.failWith(error);
  }
  if (inv.signal.aborted) return inv.interrupts.abortedCode();
  for (const note of ready.notes) inv.report.note(note);
  return buildAndDrive(inv, { settings, start, rules, ready, modules });
}

/** The settings from the command line, the environment and the config files (asking about trust). */
async function readSettings(inv: Invocation): Promise<Settings | ExitCode> {
  try {
    const settings = await resolveSettings(inv.args, inv.io.env, inv.workspace, {
      decideTrust: (request) => inv.prompter.decideTrust(request, inv.args.trustProject),
    });
    inv.report.trust(settings);
    return settings;
  } catch (error) {
    if (inv.signal.aborted) return inv.interrupts.abortedCode();
    return inv.report.fail(errorText(error));
  }
}

/** A new task, or the session `--resume` / `--continue` names, checked before any backend is touched. */
async function startOf(
  inv: Invocation,
  task: string | undefined,
  modules: RunModules,
  settings: Settings,
): Promise<Start | ExitCode> {
  if (!inv.args.resume) return { kind: "run", task: task as string };
  let resumed: { sessionId: string } | ExitCode;
  try {
    await openSessions(inv, modules, inv.workspace, settings.sessionsDir);
    resumed = await findSession(inv, inv.args.resume.id, task);
  } catch (error) {
    return inv.report.failWith(error);
  }
  if (typeof resumed === "number") return resumed;
  return { kind: "resume", sessionId: resumed.sessionId, message: task };
}

/** MCP servers start before the backend is asked, so a bad entry is a usage error. */
async function startMcpServers(inv: Invocation, settings: Settings): Promise<undefined | ExitCode> {
  if (!settings.mcpServers) return undefined;
  const { startMcpTools } = await import("../mcp-tools.js");
  try {
    inv.mcp = await startMcpTools(settings.mcpServers, {
      workspace: inv.workspace,
      readOnly: inv.args.readOnly,
      warn: (warning: { message: string }) => inv.report.warn(warning.message),
    });
  } catch (error) {
    return inv.report.failWith(error);
  }
  return undefined;
}

/** The rulebook: `--no-rules`, a `--rules` file (unreadable: a usage error), or the project's. */
async function readRules(inv: Invocation): Promise<string | false | undefined | ExitCode> {
  const { args } = inv;
  if (args.noRules) return false;
  if (args.rules === undefined) return undefined;
  const file = path.resolve(inv.workspace, args.rules);
  try {
    return await fs.readFile(file, "utf8");
  } catch (error) {
    return inv.report.fail(
      `cannot read the rules file ${file}: ${(error as NodeJS.ErrnoException).code ?? errorText(error)}.`,
    );
  }
}

/** Builds the agent (tools, approvals, limits, sessions) and drives it. */
async function buildAndDrive(
  inv: Invocation,
  run: {
    settings: Settings;
    start: Start;
    rules: string | false | undefined;
    ready: ChosenProvider;
    modules: RunModules;
  },
): Promise<ExitCode> {
  const { args, io, workspace } = inv;
  const { settings, ready } = run;
  const contextWindow = ready.contextWindow ?? settings.contextWindow;
  const mode: ApprovalMode = args.yes ? "allow-all" : inv.prompter.interactive ? "ask" : "refuse";
  const { createTools } = await run.modules.tools;
  const { equipRun } = await import("../map/equip-run.js");
  const { tools: equipped, ...mapOptions } = await equipRun({
    ...{ workspace, env: io.env, settings },
    tools: createTools({ root: workspace, readOnly: args.readOnly }),
  });
  const tools = [...equipped, ...(inv.mcp?.tools ?? [])];
  const constrained = constrainedModeFor(
    settings.constrained,
    ready.provider.id,
    settings.protocol,
  );
  let agent: Agent;
  try {
    agent = new Agent({
      provider: ready.provider,
      tools,
      // On the Agent, not the tools: the answer comes before the checkpoint (git).
      approve: createApprover({
        mode,
        ask: inv.prompter.ask,
        root: workspace,
        colors: inv.errColors,
        terminalSize: () => ({ columns: io.stderr.columns, rows: io.stderr.rows }),
      }),
      rules: run.rules,
      workspace,
      constrainedDecoding: constrained,
      ...(settings.protocol === undefined ? {} : { protocol: settings.protocol }),
      ...(settings.maxSteps === undefined ? {} : { maxSteps: settings.maxSteps }),
      ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
      ...(contextWindow === undefined ? {} : { contextWindow }),
      ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
      ...sessionOptions(inv),
      ...mapOptions,
    });
  } catch (error) {
    return inv.report.fail(errorText(error));
  }
  inv.mcp?.checkPromptBudget(await agent.systemPrompt().catch(() => ""), contextWindow ?? 8192);
  inv.report.constrained(constrained, ready.provider, tools);
  const refuseNote =
    mode === "refuse" && !args.readOnly
      ? "No terminal to ask for approval: file changes and commands will be refused (use --yes to allow them)."
      : undefined;
  return driveAgent(inv, agent, run.start, { live: true, refuseNote });
}
