import { promises as fs, readFileSync } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { type CliArgs, parseCliArgs } from "./args.js";
import type { CommandContext } from "./commands/command-context.js";
import type { Env } from "./config/resolve-settings.js";
import { EXIT_CODES, type ExitCode } from "./exit-codes.js";
import type { OutStream } from "./render/live-view.js";
import { colorsFor } from "./terminal/colors.js";

/** Where the CLI reads and writes, and what it may touch: the process by default. */
export interface MainOptions {
  /** Model prose, tool lines, the summary, or JSON events. */
  stdout?: OutStream;
  /** Status, questions, warnings and errors. */
  stderr?: OutStream;
  /** Answers to approval questions; asked only when it is a terminal (its `isTTY`). */
  stdin?: Readable & {
    /** `true` for a terminal: only then are approval questions asked. */
    isTTY?: boolean | undefined;
  };
  /** The environment. */
  env?: Env;
  /** The folder the command runs in. */
  cwd?: string;
  /**
   * Handle SIGINT, SIGTERM and SIGHUP: the first aborts the run cleanly (SIGTERM and
   * SIGHUP kill running commands at once), the second exits at once with 130, 143 or
   * 129; whatever way the process exits, the commands' process groups are killed. The
   * `gemma-coder` launcher sets it; embedders calling `main` usually do not.
   */
  handleSignals?: boolean;
  /** Stops the run as a first Ctrl-C would (exit code 130), without printing a Ctrl-C hint. */
  signal?: AbortSignal;
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Runs the `gemma-coder` command: parses the arguments, resolves the configuration and
 * the model backend, runs the agent with a live view (or JSON lines) and resolves with
 * the exit code. Also the subcommands `undo`, `demo` and `sessions`, and `--resume` /
 * `--continue`. It never calls `process.exit` itself unless `handleSignals` is set and a
 * second Ctrl-C arrives.
 *
 * @param argv - The arguments after the program name.
 * @param options - Streams, environment and folder; the process's by default.
 * @returns The exit code: 0 done, 1 failed or stopped by a limit (for `undo`: files were
 *   left alone), 2 usage or configuration error, 130 interrupted (Ctrl-C), 143 stopped by
 *   SIGTERM, 129 by SIGHUP. Every way out kills the commands the run started.
 *
 * @example
 * ```ts
 * import { main } from "@gemma-coder/cli";
 * process.exitCode = await main(["--provider", "ollama", "fix the failing test"]);
 * ```
 */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<ExitCode> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  const errColors = colorsFor(stderr, env);
  const fail = (message: string, hint?: string): ExitCode => {
    stderr.write(`${errColors.red("gemma-coder:")} ${message}\n${hint ? `${hint}\n` : ""}`);
    return EXIT_CODES.usage;
  };

  if (argv[0] === "eval") {
    const cwd = path.resolve(options.cwd ?? process.cwd());
    const io = { stdout, stderr, env, cwd, handleSignals: options.handleSignals === true };
    return (await import("./eval/eval-command.js")).runEvalCommand(argv.slice(1), {
      ...io,
      signal: options.signal,
    });
  }
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    return fail(errorText(error), "Run `gemma-coder --help` for usage and examples.");
  }
  if (args.help) {
    const { HELP_TEXT } = await import("./help.js");
    stdout.write(HELP_TEXT);
    return EXIT_CODES.done;
  }
  if (args.version) {
    stdout.write(`${readVersion()}\n`);
    return EXIT_CODES.done;
  }
  if (args.command === "run" && args.task === undefined && args.resume === undefined) {
    return fail(
      "no task given. Say what to do in quotes, for example:",
      '  gemma-coder "fix the failing test in tests/test_api.py"\nRun `gemma-coder --help` for every option.',
    );
  }
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const workspace = path.resolve(cwd, args.cwd ?? ".");
  if (args.command !== "demo") {
    const isFolder = await fs.stat(workspace).then(
      (stats) => stats.isDirectory(),
      () => false,
    );
    if (!isFolder) return fail(`the workspace folder ${workspace} does not exist (from --cwd).`);
  }
  const ctx: CommandContext = {
    ...{ stdout, stderr, stdin: options.stdin, env, cwd, workspace },
    handleSignals: options.handleSignals === true,
    signal: options.signal,
  };
  // One line per command; each command's module is loaded only when it runs.
  switch (args.command) {
    case "undo":
    case "sessions":
      return (await import("./session-commands.js")).runSessionCommand(args, ctx);
    case "acp":
      return (await import("./commands/acp.js")).runAcpCommand(args, ctx);
    case "mcp":
      return (await import("./commands/mcp.js")).runMcpCommand(args, ctx);
    case "map":
      return (await import("./map/run-map.js")).runMapCommand(args, ctx);
    case "demo":
      return (await import("./commands/demo.js")).runDemoCommand(args, ctx);
    case "run":
      return (await import("./commands/run-task.js")).runTaskCommand(args, ctx);
  }
}
