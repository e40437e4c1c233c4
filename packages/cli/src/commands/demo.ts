import path from "node:path";
import { Agent } from "@gemma-coder/core";
import { createApprover } from "../approval.js";
import type { CliArgs } from "../args.js";
import type { ExitCode } from "../exit-codes.js";
import { stripControls } from "../render/describe-call.js";
import { shellQuote } from "../render/shell-quote.js";
import { driveAgent } from "../run/drive-agent.js";
import type { Invocation } from "../run/invocation.js";
import type { RunModules } from "../run/run-modules.js";
import { openSessions, sessionOptions } from "../run/session-lookup.js";
import { type CommandContext, withInvocation } from "./command-context.js";

/**
 * `gemma-coder demo`, in its own invocation.
 *
 * @param args - The parsed command line.
 * @param ctx - Streams, environment and folders.
 * @returns The exit code.
 */
export function runDemoCommand(args: CliArgs, ctx: CommandContext): Promise<ExitCode> {
  return withInvocation(args, ctx, runDemo);
}

/**
 * `gemma-coder demo`: a recorded session replayed through the real tools on a scratch
 * copy of a small repository. No configuration is read and no model is needed.
 *
 * @param inv - The invocation.
 * @param modules - The modules the run loads.
 * @returns The exit code.
 */
export async function runDemo(inv: Invocation, modules: RunModules): Promise<ExitCode> {
  const { args, io } = inv;
  const { prepareDemo } = await (modules.sessions?.() ?? import("@gemma-coder/sessions"));
  const live = io.stdout.isTTY === true && !args.json;
  let demo: Awaited<ReturnType<typeof prepareDemo>>;
  try {
    // Streamed at a readable pace for a person; at once for scripts and tests.
    demo = await prepareDemo(
      args.target === undefined ? undefined : path.resolve(io.cwd, args.target),
      live ? {} : { chunkSize: 4096, delayMs: 0 },
    );
  } catch (error) {
    return inv.report.failWith(error);
  }
  inv.workspace = demo.dir;
  inv.provider = demo.provider;
  const c = inv.errColors;
  io.stderr.write(
    `\n${c.bold(c.yellow("▶ Replay of a recorded session: no model is running."))}\n${stripControls(demo.label)}\n\n${c.dim("gemma-coder ·")} ${c.bold("recorded demo session")} ${c.dim(`· ${demo.dir}`)}\n${c.dim(`task: ${stripControls(demo.task)}`)}\n`,
  );
  try {
    await openSessions(
      inv,
      modules,
      demo.dir,
      args.sessionsDir === undefined ? undefined : path.resolve(io.cwd, args.sessionsDir),
    );
  } catch (error) {
    return inv.report.failWith(error);
  }
  const { createTools } = await modules.tools;
  // Inside its own scratch copy the demo needs no approvals: it runs as with --yes.
  const agent = new Agent({
    provider: demo.provider,
    tools: createTools({ root: demo.dir }),
    approve: createApprover({ mode: "allow-all" }),
    workspace: demo.dir,
    ...sessionOptions(inv),
  });
  // Its session can be undone like any other; continuing it would need a real model.
  const code = await driveAgent(
    inv,
    agent,
    { kind: "run", task: demo.task },
    { live, continueHint: false },
  );
  io.stderr.write(
    `\nThe scratch copy is in ${demo.dir}. Run its tests:\n  cd ${shellQuote(demo.dir)} && node --test\n`,
  );
  return code;
}
