import { parseArgs } from "node:util";
import { GemmaCoderError } from "@gemma-coder/core";
import { CONSTRAINED_VALUES, type ConstrainedFlag } from "../args.js";

/** What `gemma-coder eval` was asked. */
export interface EvalArgs {
  /** The suite folder. */
  suite: string;
  /** `--replay`: play every task's recordings instead of a model, and check their scores. */
  replay: boolean;
  /** `--provider`. */
  provider: string | undefined;
  /** `--model`, repeatable: one variant per model. */
  models: string[];
  /** `--base-url`. */
  baseUrl: string | undefined;
  /** `--constrained`, repeatable: one variant per value (crossed with the models). */
  constrained: ConstrainedFlag[];
  /** `--set key=value`, repeatable: agent options for every variant. */
  set: Record<string, unknown>;
  /** `--variants <file>`: the compared option sets, from a JSON file. */
  variantsFile: string | undefined;
  /** `--concurrency`: runs at a time. */
  concurrency: number;
  /** `--repeat`: runs per task and variant. */
  repeat: number;
  /** `--tasks a,b`: only these tasks. */
  tasks: string[] | undefined;
  /** `--out`: the results folder. */
  out: string | undefined;
  /** `--fresh`: forget earlier results in the results folder. */
  fresh: boolean;
  /** `--json`: the JSON report on stdout instead of Markdown. */
  json: boolean;
  /** `--report <file>`: also write the Markdown report to a file. */
  report: string | undefined;
  /** `--keep-workspaces`: leave each run's workspace for inspection. */
  keepWorkspaces: boolean;
}

/** How to call `gemma-coder eval`, for usage errors. */
export const EVAL_USAGE =
  "gemma-coder eval <suite> [--provider <name>] [--model <id>]... [--constrained <mode>]... [--variants <file>] [--set key=value]... [--repeat <k>] [--concurrency <n>] [--tasks <a,b>] [--out <dir>] [--fresh] [--json] [--report <file>] [--keep-workspaces] [--replay]";

const OPTIONS = {
  replay: { type: "boolean" },
  provider: { type: "string" },
  model: { type: "string", short: "m", multiple: true },
  "base-url": { type: "string" },
  constrained: { type: "string", multiple: true },
  set: { type: "string", multiple: true },
  variants: { type: "string" },
  concurrency: { type: "string" },
  repeat: { type: "string" },
  tasks: { type: "string" },
  out: { type: "string" },
  fresh: { type: "boolean" },
  json: { type: "boolean" },
  report: { type: "string" },
  "keep-workspaces": { type: "boolean" },
} as const;

function usageError(message: string): GemmaCoderError {
  return new GemmaCoderError(`${message}\nUsage: ${EVAL_USAGE}`, { code: "invalid-argument" });
}

function count(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw usageError(`--${name} needs a whole number of 1 or more; got "${text}".`);
  }
  return value;
}

/** `key=value`; the value is read as JSON when it is JSON (`2`, `true`, `"x"`), else as text. */
function parseSetting(text: string): [string, unknown] {
  const at = text.indexOf("=");
  const key = at === -1 ? "" : text.slice(0, at).trim();
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) {
    throw usageError(
      `--set takes an agent option as key=value (e.g. --set temperature=0); got "${text}".`,
    );
  }
  const raw = text.slice(at + 1);
  try {
    return [key, JSON.parse(raw)];
  } catch {
    return [key, raw];
  }
}

/**
 * Parses the arguments after `gemma-coder eval`.
 *
 * @param argv - The arguments after `eval`.
 * @returns What was asked.
 * @throws GemmaCoderError `invalid-argument` with the usage.
 */
export function parseEvalArgs(argv: readonly string[]): EvalArgs {
  let parsed: ReturnType<
    typeof parseArgs<{
      args: string[];
      options: typeof OPTIONS;
      allowPositionals: true;
      strict: true;
    }>
  >;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(
      error instanceof Error ? error.message.replace(/^TypeError.*?: /, "") : String(error),
    );
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    throw usageError(
      positionals.length === 0
        ? "Which suite? Give its folder, e.g. gemma-coder eval evals/starter."
        : `One suite at a time; got ${positionals.join(", ")}.`,
    );
  }
  const constrained = (values.constrained ?? []).map((text) => {
    const value = text.trim().toLowerCase();
    if (!(CONSTRAINED_VALUES as readonly string[]).includes(value)) {
      throw usageError(`--constrained takes ${CONSTRAINED_VALUES.join(", ")}; got "${text}".`);
    }
    return value as ConstrainedFlag;
  });
  if (
    values.replay &&
    (values.model || values.provider || values.variants || values.constrained || values.repeat)
  ) {
    throw usageError(
      "--replay plays each task's recordings: it takes no model, variants or repeat.",
    );
  }
  if (values.variants && (values.model || values.constrained)) {
    throw usageError(
      "--variants lists the models and options compared: leave out --model and --constrained.",
    );
  }
  return {
    suite: positionals[0] as string,
    replay: values.replay === true,
    provider: values.provider,
    models: values.model ?? [],
    baseUrl: values["base-url"],
    constrained,
    set: Object.fromEntries((values.set ?? []).map(parseSetting)),
    variantsFile: values.variants,
    concurrency: count("concurrency", values.concurrency, 1),
    repeat: count("repeat", values.repeat, 1),
    tasks: values.tasks
      ?.split(",")
      .map((task) => task.trim())
      .filter((task) => task !== ""),
    out: values.out,
    fresh: values.fresh === true,
    json: values.json === true,
    report: values.report,
    keepWorkspaces: values["keep-workspaces"] === true,
  };
}
