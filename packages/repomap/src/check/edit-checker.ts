import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { buildShellEnv, runCommand, type ToolFileSystem } from "@gemma-coder/tools";
import { type LanguageId, languageOf } from "../languages/languages.js";
import { readRegularFile } from "../scan/index-workspace.js";
import { type Problem, syntaxProblems } from "./syntax-problems.js";
import { commandsFor, fillFiles, type VerifyConfig } from "./verify-config.js";

/** Options of {@link EditChecker}. */
export interface EditCheckerOptions {
  /** The workspace folder; commands run there. */
  root: string;
  /** Commands per language (see {@link VerifyConfig}). Default none: syntax check only. */
  verify?: VerifyConfig | undefined;
  /** Timeout of a command that sets none, in milliseconds. Default 60,000. */
  verifyTimeoutMs?: number | undefined;
  /** Most characters of findings in one tool result. Default 2,000. */
  maxOutputChars?: number | undefined;
  /** Files larger than this get no syntax check (bytes). Default 2 MiB. */
  maxFileBytes?: number | undefined;
  /** Variables passed to commands even though they look like secrets. */
  allowEnv?: readonly string[] | undefined;
  /** More variables never passed to commands. */
  hideEnv?: readonly string[] | undefined;
  /** The shell for commands (as `run_shell`'s). */
  shell?: string | undefined;
  /**
   * Where the edit tools read and write, when not the local disk (an editor's buffers):
   * the syntax check reads the file from there, so it sees what the edit wrote. The
   * `verify` commands still see the disk.
   */
  fs?: Pick<ToolFileSystem, "readTextFile"> | undefined;
}

/** The state of a file before an edit, to compare with after it. */
export interface CheckBaseline {
  /** Workspace-relative path. */
  file: string;
  /** The file's language. */
  language: LanguageId;
  /** Problem keys before the edit, with how often each occurred. */
  syntax: Map<string, number>;
  /** Output line keys of each command before the edit. */
  verify: Map<string, Map<string, number>>;
}

/**
 * The check after every edit: a tree-sitter syntax check of the changed file plus the
 * configured commands for its language, run before and after the edit so that only the
 * problems the edit introduced are reported. Commands run like `run_shell`'s: in the
 * workspace, through the shell, in their own process group killed at the end or on
 * timeout, with secret-looking variables left out and output capped.
 */
export class EditChecker {
  private readonly options: EditCheckerOptions;
  // The output of the last run of each command line, keyed by the file's hash then, so
  // the next edit of the same file need not run it again for its baseline.
  private readonly lastRun = new Map<string, { hash: string; keys: Map<string, number> }>();

  /** @param options - The workspace, the commands and the limits. */
  constructor(options: EditCheckerOptions) {
    this.options = options;
  }

  /**
   * Records the state of a file before an edit.
   *
   * @param file - Workspace-relative path.
   * @param signal - Stops the commands.
   * @returns The baseline, or `undefined` for a file no check applies to.
   */
  async before(file: string, signal?: AbortSignal): Promise<CheckBaseline | undefined> {
    const language = languageOf(file);
    if (!language) return undefined;
    const text = await this.read(file);
    const syntax = count(text === undefined ? [] : await syntaxOrNothing(language, text));
    const verify = new Map<string, Map<string, number>>();
    const hash = digest(text);
    for (const { command, timeoutMs } of this.commands(language, file)) {
      const last = this.lastRun.get(command);
      if (last && last.hash === hash) verify.set(command, last.keys);
      else verify.set(command, (await this.run(command, timeoutMs, signal)).keys);
    }
    return { file, language, syntax, verify };
  }

  /**
   * Checks a file after an edit and describes what is new since the baseline.
   *
   * @param baseline - What {@link before} recorded.
   * @param signal - Stops the commands.
   * @returns The findings for the model, or `undefined` when the edit added no problem.
   */
  async after(baseline: CheckBaseline, signal?: AbortSignal): Promise<string | undefined> {
    const text = await this.read(baseline.file);
    const findings: string[] = [];
    if (text !== undefined) {
      const fresh = newProblems(await syntaxOrNothing(baseline.language, text), baseline.syntax);
      if (fresh.length > 0) {
        findings.push(
          `Your edit left ${fresh.length === 1 ? "a syntax error" : `${fresh.length} syntax errors`} in ${baseline.file}:`,
          ...fresh.map((problem) => `- ${problem.message}`),
        );
      }
    }
    const hash = digest(text);
    for (const { command, timeoutMs } of this.commands(baseline.language, baseline.file)) {
      const result = await this.run(command, timeoutMs, signal);
      this.lastRun.set(command, { hash, keys: result.keys });
      if (result.failure) {
        findings.push(`\`${command}\` ${result.failure}`);
        continue;
      }
      const old = baseline.verify.get(command) ?? new Map<string, number>();
      const fresh = newProblems(result.problems, old);
      if (result.exitCode !== 0 && fresh.length > 0) {
        findings.push(`\`${command}\` reports new problems:`, ...fresh.map((p) => p.message));
      }
    }
    if (findings.length === 0) return undefined;
    return cap(findings.join("\n"), this.options.maxOutputChars ?? 2000);
  }

  private commands(
    language: LanguageId,
    file: string,
  ): Array<{ command: string; timeoutMs: number }> {
    return commandsFor(this.options.verify, language, this.options.verifyTimeoutMs ?? 60_000).map(
      (entry) => ({ ...entry, command: fillFiles(entry.command, [file]) }),
    );
  }

  private async read(file: string): Promise<string | undefined> {
    const absolute = path.join(this.options.root, file);
    const maxBytes = this.options.maxFileBytes ?? 2 * 1024 * 1024;
    if (this.options.fs) {
      // A file the editor cannot give (missing, or too large) gets no syntax check.
      const text = await this.options.fs.readTextFile(absolute).catch(() => undefined);
      return text !== undefined && Buffer.byteLength(text) <= maxBytes ? text : undefined;
    }
    const bytes = await readRegularFile(absolute, maxBytes);
    return bytes?.toString("utf8");
  }

  private async run(
    command: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<{
    exitCode: number | null;
    problems: Problem[];
    keys: Map<string, number>;
    failure?: string;
  }> {
    let cwd: string;
    try {
      cwd = await fs.realpath(this.options.root);
      const result = await runCommand(command, {
        cwd,
        env: buildShellEnv(process.env, this.options.allowEnv, this.options.hideEnv),
        timeoutMs,
        maxOutputBytes: 16_000,
        signal,
        shell: this.options.shell,
      });
      const problems = outputProblems(result.output);
      const base = { exitCode: result.exitCode, problems, keys: count(problems) };
      if (result.aborted) return { ...base, failure: "was stopped" };
      if (result.timedOut)
        return { ...base, failure: `timed out after ${Math.round(timeoutMs / 1000)}s` };
      return base;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      return {
        exitCode: null,
        problems: [],
        keys: new Map(),
        failure: `could not start (${code})`,
      };
    }
  }
}

/**
 * Turns a command's output into problems, one per non-empty line. Numbers are left out
 * of the key, so a message whose line number moved because of the edit is still the old one.
 */
function outputProblems(output: string): Problem[] {
  return output
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== "")
    .map((line) => ({ message: line, key: line.trim().replace(/\d+/g, "#") }));
}

// A grammar that cannot be loaded (a broken install) must not make the edit itself fail.
function syntaxOrNothing(language: LanguageId, text: string): Promise<Problem[]> {
  return syntaxProblems(language, text).catch(() => []);
}

function count(problems: readonly Problem[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const problem of problems) counts.set(problem.key, (counts.get(problem.key) ?? 0) + 1);
  return counts;
}

// A problem is new when it occurs more often than before the edit.
function newProblems(problems: readonly Problem[], before: ReadonlyMap<string, number>): Problem[] {
  const left = new Map(before);
  const fresh: Problem[] = [];
  for (const problem of problems) {
    const remaining = left.get(problem.key) ?? 0;
    if (remaining > 0) left.set(problem.key, remaining - 1);
    else fresh.push(problem);
  }
  return fresh;
}

function digest(text: string | undefined): string {
  return text === undefined ? "" : createHash("sha256").update(text).digest("hex");
}

function cap(text: string, max: number): string {
  return text.length <= max
    ? text
    : `${text.slice(0, max)}\n… (${text.length - max} more characters of findings left out)`;
}
