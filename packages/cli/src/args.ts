import { parseArgs } from "node:util";
import { GemmaCoderError } from "@gemma-coder/core";

/** What the command line asked for. */
export interface CliArgs {
  /**
   * The command. Only `run` (a task) exists today; subcommands will be recognised by
   * their first word, see {@link SUBCOMMANDS}.
   */
  command: "run";
  /** The task: every positional argument joined by spaces. */
  task: string | undefined;
  provider: string | undefined;
  model: string | undefined;
  baseUrl: string | undefined;
  yes: boolean;
  readOnly: boolean;
  json: boolean;
  maxSteps: number | undefined;
  timeoutMs: number | undefined;
  cwd: string | undefined;
  rules: string | undefined;
  noRules: boolean;
  verbose: boolean;
  help: boolean;
  version: boolean;
}

/**
 * Words that name a subcommand when they come first. Empty for now: sessions, undo and
 * the demo are planned as `gemma-coder <subcommand>`, and adding one here is how the
 * parser learns it.
 */
export const SUBCOMMANDS: ReadonlySet<string> = new Set<string>();

const OPTIONS = {
  provider: { type: "string" },
  model: { type: "string", short: "m" },
  "base-url": { type: "string" },
  yes: { type: "boolean", short: "y" },
  "read-only": { type: "boolean" },
  json: { type: "boolean" },
  "max-steps": { type: "string" },
  timeout: { type: "string" },
  cwd: { type: "string", short: "C" },
  rules: { type: "string" },
  "no-rules": { type: "boolean" },
  verbose: { type: "boolean" },
  version: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const;

/** The long names of every option, for the help test. */
export const OPTION_NAMES: readonly string[] = Object.keys(OPTIONS);

function usageError(message: string): GemmaCoderError {
  return new GemmaCoderError(message, { code: "invalid-argument" });
}

/**
 * Parses a duration: plain seconds (`90`), or a number with `ms`, `s`, `m` or `h`.
 *
 * @param text - What the user typed.
 * @returns Milliseconds.
 * @throws GemmaCoderError `invalid-argument` when it is not a positive duration.
 */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  const value = match ? Number(match[1]) : Number.NaN;
  const unit = (match?.[2] ?? "s").toLowerCase();
  const factor = unit === "ms" ? 1 : unit === "s" ? 1000 : unit === "m" ? 60_000 : 3_600_000;
  const ms = Math.round(value * factor);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw usageError(
      `--timeout needs a positive duration such as 90, 90s, 10m or 1h; got "${text}".`,
    );
  }
  return ms;
}

function parsePositiveInt(name: string, text: string): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw usageError(`--${name} needs a whole number of 1 or more; got "${text}".`);
  }
  return value;
}

function explainParseError(error: unknown): GemmaCoderError {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? message;
    return usageError(`Unknown option ${flag}.`);
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const flag = /Option '([^']+)'/.exec(message)?.[1];
    const name = flag?.split(",").pop()?.trim().split(" ")[0];
    return usageError(
      name ? `Option ${name} needs a value.` : message.replace(/^TypeError.*?: /, ""),
    );
  }
  return usageError(message);
}

/**
 * Parses the command line with Node's built-in `util.parseArgs` (no dependency, nothing to
 * load at start-up). Unknown options and malformed values are usage errors.
 *
 * @param argv - The arguments after the program name.
 * @returns What was asked.
 * @throws GemmaCoderError `invalid-argument` with a sentence for the user.
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw explainParseError(error);
  }
  const { values, positionals } = parsed;
  if (values.rules !== undefined && values["no-rules"]) {
    throw usageError("--rules and --no-rules cannot be used together.");
  }
  const words = positionals.filter((word) => word.trim() !== "");
  const task = words.length > 0 ? words.join(" ") : undefined;
  return {
    command: "run",
    task,
    provider: values.provider,
    model: values.model,
    baseUrl: values["base-url"],
    yes: values.yes === true,
    readOnly: values["read-only"] === true,
    json: values.json === true,
    maxSteps:
      values["max-steps"] === undefined
        ? undefined
        : parsePositiveInt("max-steps", values["max-steps"]),
    timeoutMs: values.timeout === undefined ? undefined : parseDuration(values.timeout),
    cwd: values.cwd,
    rules: values.rules,
    noRules: values["no-rules"] === true,
    verbose: values.verbose === true,
    help: values.help === true,
    version: values.version === true,
  };
}
