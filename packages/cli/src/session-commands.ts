import { GemmaCoderError } from "@gemma-coder/core";
import type { SessionSummary } from "@gemma-coder/sessions";
import type { CliArgs } from "./args.js";
import { ignoredWarning } from "./config/folder-trust.js";
import { type Env, resolveSettings } from "./config/resolve-settings.js";
import { EXIT_CODES, type ExitCode } from "./exit-codes.js";
import { stripControls } from "./render/describe-call.js";
import { toJsonLine } from "./render/json-lines.js";
import type { OutStream } from "./render/live-view.js";
import { colorsFor } from "./terminal/colors.js";

/** Where a session subcommand reads and writes. */
export interface SessionCommandIo {
  /** The workspace (from `--cwd`). */
  workspace: string;
  /** The folder the command was started in. */
  cwd: string;
  stdout: OutStream;
  stderr: OutStream;
  env: Env;
}

/**
 * Runs `gemma-coder undo` or `gemma-coder sessions`. Neither needs a model: they read
 * the workspace's sessions folder (the configured one: `--sessions-dir`,
 * `GEMMA_CODER_SESSIONS_DIR`, `sessionsDir` in a config file, else the default).
 *
 * `undo` restores the last run that changed files (or the run named by id or unique
 * prefix) and prints what it did. Exit 0 when everything was restored, 1 when some files
 * were left alone because they changed since the run (`--force` overwrites them), 2 for
 * an unknown run, a run already undone, or nothing to undo.
 *
 * @param args - The parsed command line (`command` is `undo` or `sessions`).
 * @param io - Streams, environment and folders.
 * @returns The exit code.
 */
export async function runSessionCommand(args: CliArgs, io: SessionCommandIo): Promise<ExitCode> {
  const errColors = colorsFor(io.stderr, io.env);
  const fail = (message: string, code = "invalid-argument"): ExitCode => {
    io.stderr.write(`${errColors.red("gemma-coder:")} ${stripControls(message)}\n`);
    if (args.json) io.stdout.write(`${toJsonLine({ type: "error", error: { code, message } })}\n`);
    return EXIT_CODES.usage;
  };
  try {
    const settings = await resolveSettings(args, io.env, io.workspace, {
      decideTrust: async (request) => args.trustProject || request.remembered === true,
    });
    if (settings.ignored) {
      io.stderr.write(
        `${errColors.yellow("gemma-coder: !")} ${ignoredWarning(settings.ignored)}\n`,
      );
    }
    const { openSessions } = await import("@gemma-coder/sessions");
    const sessions = await openSessions({
      workspace: io.workspace,
      dir: settings.sessionsDir,
      env: io.env,
    });
    if (args.command === "sessions") {
      const list = await sessions.store.list({ limit: 30 });
      if (args.json) {
        for (const summary of list)
          io.stdout.write(`${toJsonLine({ type: "session", ...summary })}\n`);
      } else if (list.length === 0) {
        io.stderr.write(`No sessions yet in ${sessions.dir}.\n`);
      } else {
        io.stderr.write(`${errColors.dim(`Sessions in ${sessions.dir}, newest first:`)}\n`);
        for (const summary of list) io.stdout.write(`${describeSession(summary)}\n`);
      }
      return EXIT_CODES.done;
    }

    const { checkpointer } = sessions;
    let runId: string;
    if (args.target === undefined) {
      const latest = await checkpointer.latest();
      if (!latest) {
        return fail(
          `nothing to undo: no run has changed files in ${io.workspace}, or every such run was undone already (checkpoints are kept in ${checkpointer.checkpointsDir}).`,
        );
      }
      runId = latest.runId;
    } else {
      runId = await checkpointer.resolve(args.target);
    }
    const { formatUndoResult } = await import("@gemma-coder/sessions");
    const manifest = await checkpointer.read(runId).catch(() => undefined);
    if (!args.json) {
      const from = manifest?.sessionId ? ` of session ${manifest.sessionId}` : "";
      io.stderr.write(`${errColors.dim(`Undoing run ${runId}${from}…`)}\n`);
    }
    const result = await checkpointer.undo(runId, { force: args.force });
    if (args.json) io.stdout.write(`${toJsonLine({ type: "undo", result })}\n`);
    else io.stdout.write(`${stripControls(formatUndoResult(result))}\n`);
    if (result.conflicts.length > 0) {
      if (!args.json) {
        io.stderr.write(
          `${errColors.yellow(`${result.conflicts.length === 1 ? "One file was" : `${result.conflicts.length} files were`} left as they are.`)} Run \`gemma-coder undo ${runId} --force\` to overwrite ${result.conflicts.length === 1 ? "it" : "them"} with the content from before the run.\n`,
        );
      }
      return EXIT_CODES.failed;
    }
    return EXIT_CODES.done;
  } catch (error) {
    if (GemmaCoderError.isInstance(error)) return fail(error.message, error.code);
    // A file-system failure (full disk, no permission) is the user's to fix: one line.
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code === "string" && /^E[A-Z]+$/.test(code) && error instanceof Error) {
      return fail(`${error.message}.`, "storage");
    }
    throw error;
  }
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

/** `2025-01-02 03:04` in local time (no `Intl`: its locale data is large to load). */
function localTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function describeSession(summary: SessionSummary): string {
  const task = stripControls(summary.task ?? summary.error ?? "").split("\n")[0] ?? "";
  const runs = `${summary.runs} ${summary.runs === 1 ? "run" : "runs"}`;
  return `${summary.sessionId}  ${localTime(summary.updatedAt)}  ${summary.status.padEnd(11)}  ${runs.padEnd(6)}  ${task.length > 60 ? `${task.slice(0, 59)}…` : task}`;
}
