import process from "node:process";
import type { CliArgs } from "../args.js";
import type { ExitCode } from "../exit-codes.js";
import { chooseProvider } from "../run/choose-provider.js";
import { Invocation, type InvocationIo } from "../run/invocation.js";
import type { CommandContext } from "./command-context.js";

/**
 * `gemma-coder acp`: the Agent Client Protocol on stdin/stdout. The provider is chosen
 * exactly as for a terminal run, but nothing is ever asked on stdin: it carries the
 * protocol.
 *
 * @param args - The parsed command line.
 * @param ctx - Streams, environment and folders.
 * @returns The exit code.
 */
export async function runAcpCommand(args: CliArgs, ctx: CommandContext): Promise<ExitCode> {
  const { runAcp } = await import("../acp/run-acp.js");
  const { stdout, stderr, env, cwd } = ctx;
  const ioFor = (signal: AbortSignal): InvocationIo => ({
    ...{ stdout: stderr, stderr, stdin: () => process.stdin, stdinIsTTY: false, cwd },
    ...{ env: { ...env, GEMMA_CODER_FORCE_PROMPT: undefined }, handleSignals: false, signal },
  });
  return runAcp(args, {
    ...{ stdout, stderr, env, handleSignals: ctx.handleSignals },
    stdin: ctx.stdin ?? process.stdin,
    // The header line names the folder whose settings chose the backend.
    chooseProvider: (settings, root, signal) =>
      chooseProvider(new Invocation(args, root, ioFor(signal)), settings),
  });
}
