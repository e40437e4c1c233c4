import { parseArgs } from "node:util";
import { GemmaCoderError } from "@gemma-coder/core/basics";

/** The commands: a task (the default), or one of the {@link SUBCOMMANDS}. */
export type CliCommand = "run" | "undo" | "demo" | "sessions" | "acp" | "mcp" | "map";

/** What the command line asked for. */
export interface CliArgs {
  /** The command: `run` (a task), or a subcommand named by the first word. */
  command: CliCommand;
  /**
   * For `run`: the task, or with `--resume` / `--continue` the follow-up message (every
   * positional argument joined by spaces).
   */
  task: string | undefined;
  /**
   * For `undo`: the run id (or prefix); for `demo`: the folder for the scratch copy; for
   * `map`: the task text the map is ranked for.
   */
  target: string | undefined;
  /**
   * Continue a session: `id` is what `--resume` was given, `undefined` for the latest
   * (`--continue`, or `--resume` without an id).
   */
  resume: { id: string | undefined } | undefined;
  /** `false` with `--no-session`: no transcript and no checkpoints. */
  session: boolean;
  /** `--sessions-dir`: where transcripts and checkpoints are kept. */
  sessionsDir: string | undefined;
  /** `undo --force`: overwrite files changed since the run. */
  force: boolean;
  provider: string | undefined;
  model: string | undefined;
  baseUrl: string | undefined;
  yes: boolean;
  /** `--trust-project`: use the project config's provider, baseUrl, sessionsDir and mcpServers for this run. */
  trustProject: boolean;
  /** `--mcp-config`: a JSON file of MCP servers whose tools join the run. */
  mcpConfig: string | undefined;
  /** `--download`: fetch the default model for the embedded engine without asking. */
  download: boolean;
  readOnly: boolean;
  json: boolean;
  maxSteps: number | undefined;
  timeoutMs: number | undefined;
  /** `--constrained`: how model replies are constrained (see {@link ConstrainedFlag}). */
  constrained: ConstrainedFlag | undefined;
  /** `--protocol`: how the model makes tool calls (see {@link ProtocolFlag}). */
  protocol: ProtocolFlag | undefined;
  cwd: string | undefined;
  rules: string | undefined;
  noRules: boolean;
  verbose: boolean;
  /** `map --tokens`: the map's budget. */
  tokens: number | undefined;
  /** `map --focus` (repeatable): files to centre the map on. */
  focus: string[];
  help: boolean;
  version: boolean;
}

/**
 * The values of `--constrained`: `grammar` (a GBNF grammar of the tool calls), `json` (a
 * JSON schema of one call), `off` (the plain text protocol), or `auto` (a grammar where the
 * backend enforces one, else a schema).
 */
export type ConstrainedFlag = "auto" | "grammar" | "json" | "off";

/** Every {@link ConstrainedFlag}, for messages and the config file. */
export const CONSTRAINED_VALUES: readonly ConstrainedFlag[] = ["auto", "grammar", "json", "off"];

/**
 * The values of `--protocol`: `text` (a `<tool>` block in the reply), `native` (the
 * backend's own tool API), `json` (the reply is one JSON object). See docs/protocol.md.
 */
export type ProtocolFlag = "text" | "native" | "json";

/** Every {@link ProtocolFlag}, for messages and the config file. */
export const PROTOCOL_VALUES: readonly ProtocolFlag[] = ["text", "native", "json"];

function parseProtocol(text: string): ProtocolFlag {
  const value = text.trim().toLowerCase();
  if ((PROTOCOL_VALUES as readonly string[]).includes(value)) return value as ProtocolFlag;
  throw usageError(`--protocol takes ${PROTOCOL_VALUES.join(", ")}; got "${text}".`);
}

function parseConstrained(text: string): ConstrainedFlag {
  const value = text.trim().toLowerCase();
  if ((CONSTRAINED_VALUES as readonly string[]).includes(value)) return value as ConstrainedFlag;
  throw usageError(`--constrained takes ${CONSTRAINED_VALUES.join(", ")}; got "${text}".`);
}

/**
 * Words that name a subcommand when they are the first word before `--`. A task that
 * is one of these words alone goes after `--` (`gemma-coder -- demo`); a quoted task of
 * several words (`gemma-coder "undo the rename"`) is never taken for one.
 */
export const SUBCOMMANDS: ReadonlySet<string> = new Set<string>([
  "undo",
  "demo",
  "sessions",
  "acp",
  "mcp",
  "map",
]);

const OPTIONS = {
  provider: { type: "string" },
  model: { type: "string", short: "m" },
  "base-url": { type: "string" },
  yes: { type: "boolean", short: "y" },
  "trust-project": { type: "boolean" },
  "mcp-config": { type: "string" },
  download: { type: "boolean" },
  "read-only": { type: "boolean" },
  json: { type: "boolean" },
  "max-steps": { type: "string" },
  timeout: { type: "string" },
  constrained: { type: "string" },
  protocol: { type: "string" },
  cwd: { type: "string", short: "C" },
  rules: { type: "string" },
  "no-rules": { type: "boolean" },
  resume: { type: "string" },
  continue: { type: "boolean" },
  "no-session": { type: "boolean" },
  "sessions-dir": { type: "string" },
  force: { type: "boolean" },
  verbose: { type: "boolean" },
  tokens: { type: "string" },
  focus: { type: "string", multiple: true },
  version: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const;

/** The long names of every option, for the help test. */
export const OPTION_NAMES: readonly string[] = Object.keys(OPTIONS);

function usageError(message: string): GemmaCoderError {
  return new GemmaCoderError(message, { code: "invalid-argument" });
}

/**
 * The longest duration a setting may hold: 24 days. Node's timers hold at most
 * 2^31 - 1 ms (about 24.8 days) and fire at once past that, so a longer limit would
 * stop the run immediately instead of never.
 */
export const MAX_DURATION_MS = 24 * 24 * 3_600_000;

/**
 * Parses a duration: plain seconds (`90`), or a number with `ms`, `s`, `m` or `h`.
 *
 * @param text - What the user typed.
 * @param name - The setting, for the message.
 * @returns Milliseconds.
 * @throws GemmaCoderError `invalid-argument` when it is not a positive duration or is
 *   longer than {@link MAX_DURATION_MS}.
 */
export function parseDuration(text: string, name = "--timeout"): number {
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  const value = match ? Number(match[1]) : Number.NaN;
  const unit = (match?.[2] ?? "s").toLowerCase();
  const factor = unit === "ms" ? 1 : unit === "s" ? 1000 : unit === "m" ? 60_000 : 3_600_000;
  const ms = Math.round(value * factor);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw usageError(
      `${name} needs a positive duration such as 90, 90s, 10m or 1h; got "${text}".`,
    );
  }
  return checkDurationLimit(ms, `${name} ${text}`);
}

/**
 * Checks a duration against {@link MAX_DURATION_MS}.
 *
 * @param ms - The duration.
 * @param shown - The setting and value as the user wrote them, for the message.
 * @returns `ms`.
 * @throws GemmaCoderError `invalid-argument` when it is longer.
 */
export function checkDurationLimit(ms: number, shown: string): number {
  if (ms > MAX_DURATION_MS) {
    throw usageError(
      `${shown} is longer than the longest supported (24 days): leave the limit out for none.`,
    );
  }
  return ms;
}

function parsePositiveInt(name: string, text: string): number {
  const value = Number(text);
  if (!/^\s*-?\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
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

/** The options each subcommand takes (besides `--help` and `--version`). */
const SUBCOMMAND_OPTIONS: Readonly<Record<Exclude<CliCommand, "run">, readonly string[]>> = {
  undo: ["force", "json", "cwd", "sessions-dir", "verbose", "trust-project"],
  demo: ["json", "verbose", "yes", "no-session", "sessions-dir"],
  sessions: ["json", "cwd", "sessions-dir", "verbose", "trust-project"],
  acp: [
    "provider",
    "model",
    "base-url",
    "cwd",
    "yes",
    "download",
    "read-only",
    "max-steps",
    "timeout",
    "rules",
    "no-rules",
    "no-session",
    "sessions-dir",
    "verbose",
    "trust-project",
  ],
  mcp: [
    "provider",
    "model",
    "base-url",
    "cwd",
    "yes",
    "read-only",
    "max-steps",
    "timeout",
    "constrained",
    "rules",
    "no-rules",
    "no-session",
    "sessions-dir",
    "mcp-config",
    "trust-project",
  ],
  map: ["tokens", "focus", "cwd", "json", "verbose"],
};

/** What each subcommand takes as positional arguments, for its usage error. */
const SUBCOMMAND_USAGE: Readonly<Record<Exclude<CliCommand, "run">, string>> = {
  undo: "gemma-coder undo [run-id] [--force]",
  demo: "gemma-coder demo [folder]",
  sessions: "gemma-coder sessions",
  acp: "gemma-coder acp [--provider ...] [--model ...] (an editor starts it)",
  mcp: "gemma-coder mcp [--provider ...] [--model ...] [--yes | --read-only] (an MCP host starts it)",
  map: 'gemma-coder map ["task"] [--tokens N] [--focus PATH]...',
};

/** Options whose value may look like a negative number, which `util.parseArgs` takes for a flag. */
const NUMERIC_OPTIONS: ReadonlySet<string> = new Set(["--max-steps", "--timeout", "--tokens"]);

/**
 * Rewrites what `util.parseArgs` cannot express:
 * - `--resume` takes an optional id: a `--resume` that ends the options, or is followed
 *   by another option, becomes `--resume=` (an empty id, meaning the latest session);
 * - `--max-steps -3` becomes `--max-steps=-3`, so the user hears that the value must be
 *   positive rather than that it is missing.
 */
function normaliseArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (arg === "--") {
      out.push(...argv.slice(i));
      break;
    }
    if (arg === "--resume" && (next === undefined || next.startsWith("-"))) {
      out.push("--resume=");
    } else if (NUMERIC_OPTIONS.has(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

// long-function: the util.parseArgs option table and the usage checks on its result, kept in one place; a candidate to split per subcommand
/**
 * Parses the command line with Node's built-in `util.parseArgs` (no dependency, nothing to
 * load at start-up). Unknown options and malformed values are usage errors, and so are
 * options that do not apply to the subcommand.
 *
 * @param argv - The arguments after the program name.
 * @returns What was asked.
 * @throws GemmaCoderError `invalid-argument` with a sentence for the user.
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  type Config = {
    args: string[];
    options: typeof OPTIONS;
    allowPositionals: true;
    strict: true;
    tokens: true;
  };
  let parsed: ReturnType<typeof parseArgs<Config>>;
  try {
    parsed = parseArgs<Config>({
      args: normaliseArgv(argv),
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    throw explainParseError(error);
  }
  const { values, tokens } = parsed;
  if (values.rules !== undefined && values["no-rules"]) {
    throw usageError("--rules and --no-rules cannot be used together.");
  }
  const terminator = tokens.findIndex((token) => token.kind === "option-terminator");
  const positionalTokens = tokens.filter((token) => token.kind === "positional");
  const first = positionalTokens[0];
  const command: CliCommand =
    first !== undefined &&
    (terminator === -1 || first.index < (tokens[terminator]?.index ?? 0)) &&
    SUBCOMMANDS.has(first.value)
      ? (first.value as CliCommand)
      : "run";
  const words = (command === "run" ? positionalTokens : positionalTokens.slice(1))
    .map((token) => token.value)
    .filter((word) => word.trim() !== "");
  const given = new Set(
    tokens.flatMap((token) =>
      token.kind === "option" && token.name !== "help" && token.name !== "version"
        ? [token.name]
        : [],
    ),
  );

  const resumeId = values.resume?.trim();
  const resume =
    values.resume !== undefined || values.continue === true
      ? { id: resumeId === "" ? undefined : resumeId }
      : undefined;
  if (values.resume !== undefined && values.continue) {
    throw usageError(
      "--resume and --continue cannot be used together: --continue is --resume without an id (the latest session).",
    );
  }
  if (resume && values["no-session"]) {
    throw usageError(
      `${values.continue ? "--continue" : "--resume"} continues a recorded session, so it cannot be used with --no-session.`,
    );
  }

  let target: string | undefined;
  let task: string | undefined;
  if (command === "run") {
    if (given.has("force")) {
      throw usageError(
        "--force goes with `gemma-coder undo` (it overwrites files changed since the run).",
      );
    }
    for (const name of ["tokens", "focus"] as const) {
      if (given.has(name)) throw usageError(`--${name} goes with \`gemma-coder map\`.`);
    }
    task = words.length > 0 ? words.join(" ") : undefined;
  } else {
    for (const name of given) {
      if (!SUBCOMMAND_OPTIONS[command].includes(name)) {
        throw usageError(
          `--${name} does not apply to \`gemma-coder ${command}\`. Usage: ${SUBCOMMAND_USAGE[command]}.`,
        );
      }
    }
    const most = command === "sessions" || command === "acp" || command === "mcp" ? 0 : 1;
    if (words.length > most) {
      throw usageError(
        `\`gemma-coder ${command}\` takes ${most === 0 ? "no arguments" : "at most one argument"}; got "${words.join(" ")}". Usage: ${SUBCOMMAND_USAGE[command]}. A task that starts with "${command}" goes in quotes: gemma-coder "${command} ..."`,
      );
    }
    target = words[0];
  }
  return {
    command,
    task,
    target,
    resume,
    session: values["no-session"] !== true,
    sessionsDir: values["sessions-dir"],
    force: values.force === true,
    provider: values.provider,
    model: values.model,
    baseUrl: values["base-url"],
    yes: values.yes === true,
    trustProject: values["trust-project"] === true,
    mcpConfig: values["mcp-config"],
    download: values.download === true,
    readOnly: values["read-only"] === true,
    json: values.json === true,
    maxSteps:
      values["max-steps"] === undefined
        ? undefined
        : parsePositiveInt("max-steps", values["max-steps"]),
    timeoutMs: values.timeout === undefined ? undefined : parseDuration(values.timeout),
    constrained:
      values.constrained === undefined ? undefined : parseConstrained(values.constrained),
    protocol: values.protocol === undefined ? undefined : parseProtocol(values.protocol),
    cwd: values.cwd,
    rules: values.rules,
    noRules: values["no-rules"] === true,
    verbose: values.verbose === true,
    tokens: values.tokens === undefined ? undefined : parsePositiveInt("tokens", values.tokens),
    focus: values.focus ?? [],
    help: values.help === true,
    version: values.version === true,
  };
}
