import process from "node:process";
import type { CliArgs } from "../args.js";
import type { ExitCode } from "../exit-codes.js";
import { chooseProvider } from "../run/choose-provider.js";
import { Invocation, type InvocationIo } from "../run/invocation.js";
import type { CommandContext } from "./command-context.js";

/**
 * `gemma-coder mcp`: a stdio MCP server offering `run_task`. The provider is chosen
 * exactly as for a terminal run, but nothing is ever asked on stdin: it carries the
 * protocol.
 *
 * @param args - The parsed command line.
 * @param ctx - Streams, environment and folders.
 * @returns The exit code.
 */
export async function runMcpCommand(args: CliArgs, ctx: CommandContext): Promise<ExitCode> {
  const { runMcp } = await import("../mcp/run-mcp.js");
  const { stdout, stderr, env, cwd, workspace } = ctx;
  const ioFor = (signal: AbortSignal): InvocationIo => ({
    ...{ stdout: stderr, stderr, stdin: () => process.stdin, stdinIsTTY: false, cwd },
    ...{ env: { ...env, GEMMA_CODER_FORCE_PROMPT: undefined }, handleSignals: false, signal },
  });
  return runMcp(args, {
    ...{ workspace, stdout, stderr, env, handleSignals: ctx.handleSignals },
    stdin: ctx.stdin ?? process.stdin,
    chooseProvider: (settings, signal) =>
      chooseProvider(new Invocation(args, workspace, ioFor(signal)), settings),
  });
}
