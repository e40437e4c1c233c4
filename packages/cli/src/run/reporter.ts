import {
  type AnyTool,
  type ConstrainedDecodingMode,
  GemmaCoderError,
  type ModelProvider,
  type RunResult,
} from "@gemma-coder/core";
import { planToolCallConstraint } from "@gemma-coder/core/internal";
import { ignoredWarning } from "../config/folder-trust.js";
import type { Settings } from "../config/resolve-settings.js";
import { EXIT_CODES, type ExitCode } from "../exit-codes.js";
import { stripControls } from "../render/describe-call.js";
import { toJsonLine } from "../render/json-lines.js";
import type { RunRecord } from "../render/live-view.js";
import { shellQuote } from "../render/shell-quote.js";
import type { Invocation } from "./invocation.js";

/** Codes of provider errors that mean the setup is wrong rather than the run. */
const SETUP_ERRORS = new Set(["config", "provider-connection", "provider-auth", "model-not-found"]);

/**
 * The message of anything thrown.
 *
 * @param error - What was thrown.
 * @returns Its message.
 */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * What the CLI tells the user on stderr (and, with `--json`, the error line on stdout):
 * warnings, notes, errors, and how a run's result becomes the exit code and the hints
 * after it.
 */
export class Reporter {
  /** @param inv - The invocation. */
  constructor(private readonly inv: Invocation) {}

  /** A warning that does not stop the command. */
  warn(text: string): void {
    const { io, errColors } = this.inv;
    io.stderr.write(`${errColors.yellow("gemma-coder: !")} ${stripControls(text)}\n`);
  }

  /** A dim line of information. */
  note(text: string): void {
    this.inv.io.stderr.write(`${this.inv.errColors.dim(stripControls(text))}\n`);
  }

  /** A usage or setup error: said on stderr (and as a JSON line with `--json`); exit 2. */
  fail(message: string, code = "config"): ExitCode {
    const { io, errColors, args } = this.inv;
    this.inv.view?.pause();
    io.stderr.write(`${errColors.red("gemma-coder:")} ${stripControls(message)}\n`);
    if (args.json) {
      io.stdout.write(`${toJsonLine({ type: "error", error: { code, message } })}\n`);
    }
    return EXIT_CODES.usage;
  }

  /** Turns what a setup step threw into exit 2 (a `GemmaCoderError`) or rethrows. */
  failWith(error: unknown): ExitCode {
    if (this.inv.signal.aborted) return this.inv.interrupts.abortedCode();
    if (GemmaCoderError.isInstance(error)) return this.fail(error.message, error.code);
    throw error;
  }

  /** Says which project settings were left out, and which files another user owns. */
  trust(settings: Settings): void {
    if (settings.ignored) this.warn(ignoredWarning(settings.ignored));
    for (const file of settings.foreign) {
      this.warn(`the config file ${file} belongs to another user, so it was not read.`);
    }
  }

  /** Says when the backend enforces well-formed calls, so a user knows what is in effect. */
  constrained(
    mode: ConstrainedDecodingMode,
    provider: ModelProvider,
    tools: readonly AnyTool[],
  ): void {
    if (this.inv.args.json || mode === "off") return;
    const plan = planToolCallConstraint({ tools, capabilities: provider.capabilities, mode });
    if (plan.mode === "off") return;
    const how = plan.mode === "grammar" ? "a grammar" : "a JSON schema";
    this.note(`constrained decoding: ${how} of the tool calls (--constrained off to disable)`);
  }

  /**
   * A run the model ended with `done` while changes were refused for want of a terminal
   * did not do what it says: it exits 1 and names what was refused, so CI sees a failure.
   */
  refusedCode(result: RunResult, record: RunRecord): ExitCode | undefined {
    if (result.status !== "done" || record.refused === 0) return undefined;
    this.inv.view?.summary(result, false);
    const count = record.refused === 1 ? "1 change was" : `${record.refused} changes were`;
    this.inv.io.stderr.write(
      `${this.inv.errColors.red("gemma-coder:")} ${count} refused (${record.refusedCalls.join(", ")}): there was no terminal to ask, so the task is not done whatever the model's summary says. Run with --yes to allow changes.\n`,
    );
    return EXIT_CODES.failed;
  }

  /** Shows the summary and turns the result into the exit code. */
  finish(result: RunResult, turns: number): ExitCode {
    const { interrupts, io, errColors } = this.inv;
    const interrupted = result.status === "aborted" && interrupts.interrupted;
    const setupError =
      result.stopReason === "provider-error" &&
      result.error !== undefined &&
      SETUP_ERRORS.has(result.error.code) &&
      turns <= 1;
    this.inv.view?.summary(result, interrupted);
    if (result.status === "done") return EXIT_CODES.done;
    if (interrupted || result.status === "aborted") return interrupts.abortedCode();
    if (setupError) {
      io.stderr.write(
        `${errColors.red("gemma-coder:")} the model backend could not be used: ${stripControls(result.error?.message ?? "")}\nCheck --provider, --model and --base-url (or the config files and OLLAMA_HOST / OPENROUTER_API_KEY).\n`,
      );
      return EXIT_CODES.usage;
    }
    if (this.inv.args.verbose && result.error) {
      io.stderr.write(`${errColors.dim(String(result.error.stack ?? result.error))}\n`);
    }
    return EXIT_CODES.failed;
  }

  /** After the summary, on stderr: the session and run ids and how to undo or continue. */
  sessionHints(result: RunResult, record: RunRecord, continueHint: boolean): void {
    const { sessions, workspace, io, args, errColors: c } = this.inv;
    if (!sessions || result.sessionId === undefined) return;
    let again = "gemma-coder";
    if (workspace !== io.cwd) again += ` -C ${shellQuote(workspace)}`;
    if (sessions.location === "custom" && args.sessionsDir !== undefined) {
      again += ` --sessions-dir ${shellQuote(sessions.dir)}`;
    }
    const hints: string[] = [];
    if (record.changed.size > 0 || record.commands > 0) hints.push(`undo: ${again} undo`);
    if (continueHint) {
      hints.push(
        result.status === "done"
          ? `continue: ${again} --resume ${result.sessionId} "<follow-up>"`
          : `finish it: ${again} --resume ${result.sessionId}`,
      );
    }
    if (hints.length === 0) hints.push("nothing to undo: no files were changed");
    io.stderr.write(
      `${c.dim(`  session ${result.sessionId} · run ${result.runId}`)}\n${c.dim(`  ${hints.join(" · ")}`)}\n`,
    );
  }
}
