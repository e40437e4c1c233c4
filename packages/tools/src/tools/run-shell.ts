import { promises as fs } from "node:fs";
import path from "node:path";
import { defineTool, type Tool, ToolError } from "@gemma-coder/core";
import { abortError } from "@gemma-coder/core/internal";
import { z } from "zod";
import { resolveOptions, type ToolsOptions } from "../options.js";
import { runCommand } from "../shell/run-command.js";
import { buildShellEnv } from "../shell/shell-env.js";
import { TOOL_NAMES } from "../tool-names.js";

/** The longest `timeout_ms` a model may ask for (30 minutes). */
export const MAX_SHELL_TIMEOUT_MS = 30 * 60 * 1000;

const runShellInput = z.object({
  command: z.string(),
  timeout_ms: z.number().int().min(1).optional(),
});

/** The input of `run_shell`. */
export type RunShellInput = z.output<typeof runShellInput>;

/**
 * Creates `run_shell`: runs a command line with a shell in the workspace root and returns
 * `exit <code> in <ms>ms` followed by the interleaved output (head and tail kept when it
 * is long). Standard input is closed, pagers and colours are off, variables that look
 * like secrets are not passed on (see {@link ToolsOptions.allowEnv}), and the whole
 * process group is killed when the command ends, times out or the run is aborted.
 *
 * @param options - The workspace root, timeout, allowed variables, shell and output limit.
 * @returns The tool.
 */
export function createRunShellTool(options: ToolsOptions): Tool<RunShellInput, string> {
  const config = resolveOptions(options);
  return defineTool({
    name: TOOL_NAMES.runShell,
    description: "Run a shell command in the workspace root.",
    inputSchema: runShellInput,
    execute: async (input, context) => {
      const signal = context?.signal;
      if (signal?.aborted) throw abortError(signal);
      if (input.command.trim() === "") throw new ToolError("command is empty.");
      if (input.command.includes("\0")) throw new ToolError("command contains a NUL byte.");
      let cwd: string;
      try {
        cwd = await fs.realpath(config.root);
      } catch (error) {
        throw new ToolError("The workspace root folder does not exist any more.", { cause: error });
      }
      const timeoutMs = Math.min(input.timeout_ms ?? config.shellTimeoutMs, MAX_SHELL_TIMEOUT_MS);
      let result: Awaited<ReturnType<typeof runCommand>>;
      try {
        result = await runCommand(input.command, {
          cwd,
          env: buildShellEnv(process.env, config.allowEnv, config.hideEnv),
          timeoutMs,
          maxOutputBytes: config.maxOutputChars,
          signal,
          shell: config.shell,
        });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const shell = config.shell ?? "the shell";
        throw new ToolError(
          code === "ENOENT"
            ? `Could not start ${path.basename(shell)}: it is not installed.`
            : `Could not start the command (${code ?? String(error)}).`,
          { cause: error },
        );
      }
      if (result.aborted) throw abortError(signal);
      const status = result.timedOut
        ? `timed out after ${timeoutMs}ms; the command and everything it started were killed`
        : result.exitCode !== null
          ? `exit ${result.exitCode} in ${result.durationMs}ms`
          : `killed by ${result.signal ?? "a signal"} after ${result.durationMs}ms`;
      return `${status}\n${result.output === "" ? "(no output)" : result.output}`;
    },
  });
}
