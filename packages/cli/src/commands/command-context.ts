import type { Readable } from "node:stream";
import { isatty } from "node:tty";
import type { CliArgs } from "../args.js";
import type { Env } from "../config/resolve-settings.js";
import type { ExitCode } from "../exit-codes.js";
import type { OutStream } from "../render/live-view.js";
import { Invocation } from "../run/invocation.js";
import { loadRunModules, preloadProvider, type RunModules } from "../run/run-modules.js";

/** What every command runs with: the streams, the environment and the folders. */
export interface CommandContext {
  stdout: OutStream;
  stderr: OutStream;
  /** The caller's stdin, when `main` was given one (else the process's, touched only when needed). */
  stdin: (Readable & { isTTY?: boolean | undefined }) | undefined;
  env: Env;
  /** The folder the command was started in. */
  cwd: string;
  /** The workspace (`--cwd`, resolved). */
  workspace: string;
  /** Handle SIGINT, SIGTERM and SIGHUP (the launcher sets it). */
  handleSignals: boolean;
  /** Aborts the run as a first Ctrl-C would. */
  signal: AbortSignal | undefined;
}

/**
 * Runs a command that drives the agent (a task, `--resume`, the demo) inside one
 * invocation: the modules it needs start loading first, and whatever way the command
 * ends, the invocation lets go of signals, stdin and the provider.
 *
 * @param args - The parsed command line.
 * @param ctx - Streams, environment and folders.
 * @param body - The command.
 * @returns The command's exit code.
 */
export async function withInvocation(
  args: CliArgs,
  ctx: CommandContext,
  body: (inv: Invocation, modules: RunModules) => Promise<ExitCode>,
): Promise<ExitCode> {
  // Start loading what the run needs while the configuration is read: the tools, and the
  // provider named on the command line or in the environment (Ollama's module when none
  // is named, since detection looks for Ollama first).
  const modules = loadRunModules(args.session);
  // A new task needs the sessions library only after the backend answered (see
  // runTask); --resume and the demo need it at once.
  if (args.resume || args.command === "demo") modules.sessions?.().catch(() => undefined);
  if (args.command === "run")
    preloadProvider(args.provider ?? ctx.env.GEMMA_CODER_PROVIDER ?? "ollama");
  const invocation = new Invocation(args, ctx.workspace, {
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    // process.stdin is only touched when a question is actually asked.
    stdin: () => ctx.stdin ?? process.stdin,
    stdinIsTTY: ctx.stdin ? ctx.stdin.isTTY === true : isatty(0),
    env: ctx.env,
    cwd: ctx.cwd,
    handleSignals: ctx.handleSignals,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  try {
    return await body(invocation, modules);
  } finally {
    await invocation.close();
  }
}
