import { LANGUAGE_IDS, type LanguageId } from "../languages/languages.js";

/** A configured check with its own timeout. */
export interface VerifyCommandWithTimeout {
  /** The command line; `{files}` stands for the changed files. */
  command: string;
  /** Seconds before the command and everything it started are killed. */
  timeout?: number | undefined;
}

/** One configured check: a command line, or a command line with its own timeout. */
export type VerifyCommand = string | VerifyCommandWithTimeout;

/**
 * The checks to run after an edit, by language (`python`, `typescript`, `tsx`,
 * `javascript`, `go`, `rust`, `java`, `c`, `cpp`). `{files}` in a command is replaced by
 * the changed files, quoted for the shell; `timeout` is in seconds. A `tsx` file uses the
 * `typescript` entry when there is no `tsx` one, and a `c` file the `cpp` one likewise.
 *
 * @example
 * ```json
 * { "python": ["ruff check {files}", "python3 -m py_compile {files}"],
 *   "typescript": [{ "command": "tsc --noEmit -p .", "timeout": 120 }] }
 * ```
 */
export type VerifyConfig = Partial<Record<LanguageId, VerifyCommand | VerifyCommand[]>>;

/** The language keys a {@link VerifyConfig} may use. */
export const VERIFY_LANGUAGES: readonly LanguageId[] = LANGUAGE_IDS;

const FALLBACK: Partial<Record<LanguageId, LanguageId>> = { tsx: "typescript", c: "cpp" };

/**
 * The commands configured for a language, each with its timeout in milliseconds.
 *
 * @param config - The configuration.
 * @param language - The changed file's language.
 * @param defaultTimeoutMs - The timeout of a command that sets none.
 * @returns The commands, in order.
 */
export function commandsFor(
  config: VerifyConfig | undefined,
  language: LanguageId,
  defaultTimeoutMs: number,
): Array<{ command: string; timeoutMs: number }> {
  const fallback = FALLBACK[language];
  const entry = config?.[language] ?? (fallback ? config?.[fallback] : undefined);
  if (entry === undefined) return [];
  return (Array.isArray(entry) ? entry : [entry]).map((item) =>
    typeof item === "string"
      ? { command: item, timeoutMs: defaultTimeoutMs }
      : {
          command: item.command,
          timeoutMs:
            item.timeout !== undefined && item.timeout > 0 ? item.timeout * 1000 : defaultTimeoutMs,
        },
  );
}

/**
 * Puts the changed files into a command where it says `{files}`, each quoted for the
 * shell so a file name can never become part of the command.
 *
 * @param command - The configured command line.
 * @param files - Workspace-relative paths.
 * @param platform - Decides the quoting. Default `process.platform`.
 * @returns The command line to run.
 */
export function fillFiles(
  command: string,
  files: readonly string[],
  platform: NodeJS.Platform = process.platform,
): string {
  const quoted = files.map((file) =>
    platform === "win32" ? quoteWindows(file) : quotePosix(file),
  );
  return command.split("{files}").join(quoted.join(" "));
}

function quotePosix(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function quoteWindows(value: string): string {
  // cmd.exe expands %VAR% even inside quotes; such names are refused rather than guessed at.
  return `"${value.replace(/[%"^&|<>!]/g, "_")}"`;
}
