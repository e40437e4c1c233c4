import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { GemmaCoderError } from "@gemma-coder/core";
import {
  type EvalResult,
  type EvalSuite,
  type EvalVariant,
  jsonReport,
  loadSuite,
  markdownReport,
  type PlannedRun,
  planReplayRuns,
  planRuns,
  runEval,
  summarize,
} from "@gemma-coder/eval";
import { killRunningCommands } from "@gemma-coder/tools";
import type { Env } from "../config/resolve-settings.js";
import { EXIT_CODES, type ExitCode } from "../exit-codes.js";
import { stripControls } from "../render/describe-call.js";
import type { OutStream } from "../render/live-view.js";
import { shellQuote } from "../render/shell-quote.js";
import { colorsFor } from "../terminal/colors.js";
import { type EvalArgs, parseEvalArgs } from "./eval-args.js";
import { createEvalProgress } from "./eval-progress.js";
import { buildVariants, type VariantSpec, variantSpecs } from "./eval-variants.js";
import { variantProviders } from "./variant-provider.js";

/** What `gemma-coder eval` reads and writes. */
export interface EvalCommandIo {
  /** The report. */
  stdout: OutStream;
  /** Progress, notes and errors. */
  stderr: OutStream;
  /** The environment. */
  env: Env;
  /** The folder the command runs in. */
  cwd: string;
  /** Handle Ctrl-C: the first stops the eval (what finished is kept), the second exits. */
  handleSignals: boolean;
  /** Stops the eval as a first Ctrl-C would. */
  signal?: AbortSignal | undefined;
}

/**
 * `gemma-coder eval <suite>`: runs a task suite against a model (or several, side by
 * side), or with `--replay` plays each task's recordings and checks each scores as it
 * says. Prints the Markdown report (or `--json`) on stdout and progress on stderr.
 *
 * @param argv - The arguments after `eval`.
 * @param io - Streams, environment, folder and signals.
 * @returns 0 when the eval finished (for `--replay`: and every recording scored as it
 *   says), 1 when a replay scored otherwise, 2 for a usage or suite error, 130 when
 *   interrupted (run it again to resume).
 */
export async function runEvalCommand(
  argv: readonly string[],
  io: EvalCommandIo,
): Promise<ExitCode> {
  const colors = colorsFor(io.stderr, io.env);
  const fail = (message: string): ExitCode => {
    io.stderr.write(`${colors.red("gemma-coder eval:")} ${stripControls(message)}\n`);
    return EXIT_CODES.usage;
  };
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted && io.handleSignals) {
      killRunningCommands();
      process.exit(EXIT_CODES.interrupted);
    }
    io.stderr.write(
      "\nStopping: the runs in progress are dropped; run the same command again to resume.\n",
    );
    controller.abort(new GemmaCoderError("Interrupted.", { code: "aborted" }));
  };
  if (io.signal?.aborted) stop();
  io.signal?.addEventListener("abort", stop, { once: true });
  if (io.handleSignals) process.on("SIGINT", stop);
  const variants: EvalVariant[] = [];
  try {
    const args = parseEvalArgs(argv);
    const suite = await loadSuite(path.resolve(io.cwd, args.suite));
    let runs: PlannedRun[];
    if (args.replay) runs = planReplayRuns(suite, { only: args.tasks });
    else {
      const specs = await variantSpecs(args, io.env, io.cwd);
      checkConcurrency(specs, args.concurrency);
      variants.push(...(await buildVariants(specs, variantProviders(io, controller.signal))));
      runs = planRuns(suite, variants, { repeat: args.repeat, only: args.tasks });
    }
    return await evaluate(suite, runs, args, io, controller.signal);
  } catch (error) {
    if (controller.signal.aborted) return EXIT_CODES.interrupted;
    if (GemmaCoderError.isInstance(error)) return fail(error.message);
    throw error;
  } finally {
    io.signal?.removeEventListener("abort", stop);
    if (io.handleSignals) process.off("SIGINT", stop);
    for (const variant of variants) await variant.dispose?.();
  }
}

/**
 * The in-process engine is one per process and answers one request at a time: parallel
 * runs would only queue behind each other while their time limits ran.
 */
function checkConcurrency(specs: readonly VariantSpec[], concurrency: number): void {
  if (concurrency > 1 && specs.some((spec) => spec.provider === "embedded")) {
    throw new GemmaCoderError(
      "the in-process engine answers one request at a time: use --concurrency 1 with --provider embedded.",
      { code: "invalid-argument" },
    );
  }
}

/** Runs the planned runs, prints the report and picks the exit code. */
async function evaluate(
  suite: EvalSuite,
  runs: readonly PlannedRun[],
  args: EvalArgs,
  io: EvalCommandIo,
  signal: AbortSignal,
): Promise<ExitCode> {
  // A replay's results are evidence for the moment only, unless a folder is given.
  const temporary = args.out === undefined && args.replay;
  const outDir = temporary
    ? await fs.mkdtemp(path.join(os.tmpdir(), "gemma-coder-eval-replay-"))
    : path.resolve(io.cwd, args.out ?? path.join("eval-results", suite.name));
  const progress = createEvalProgress(io.stderr);
  let result: EvalResult;
  try {
    if (args.fresh) await fs.rm(path.join(outDir, "results.jsonl"), { force: true });
    result = await runEval({
      suite,
      runs,
      outDir,
      concurrency: args.concurrency,
      keepWorkspaces: args.keepWorkspaces,
      signal,
      onProgress: progress.onProgress,
    });
  } finally {
    progress.end();
    if (temporary) await fs.rm(outDir, { recursive: true, force: true });
  }
  for (const warning of result.warnings) io.stderr.write(`! ${stripControls(warning)}\n`);
  const summary = summarize(suite.name, result.records);
  const markdown = markdownReport(summary);
  io.stdout.write(
    args.json ? `${JSON.stringify(jsonReport(summary, result.records), null, 2)}\n` : markdown,
  );
  if (args.report !== undefined) await fs.writeFile(path.resolve(io.cwd, args.report), markdown);
  if (!temporary) io.stderr.write(`results and transcripts: ${outDir}\n`);
  if (result.interrupted) {
    io.stderr.write(
      `Interrupted after ${result.records.length} of ${runs.length} runs. Resume with the same command${args.out === undefined && !args.replay ? "" : ` (--out ${shellQuote(outDir)})`}.\n`,
    );
    return EXIT_CODES.interrupted;
  }
  if (args.replay) return replayVerdict(summary.mismatches, runs.length, io);
  return EXIT_CODES.done;
}

/** Names every recording that did not score as it says; 0 only when there is none. */
function replayVerdict(
  mismatches: ReturnType<typeof summarize>["mismatches"],
  total: number,
  io: EvalCommandIo,
): ExitCode {
  const colors = colorsFor(io.stderr, io.env);
  if (mismatches.length === 0) {
    io.stderr.write(`${colors.green("✓")} all ${total} recordings scored as recorded.\n`);
    return EXIT_CODES.done;
  }
  for (const m of mismatches) {
    io.stderr.write(
      `${colors.red("✗")} ${stripControls(`${m.task} (${m.label}): expected ${m.expected}, got ${m.got}. ${m.detail}`)}\n`,
    );
  }
  io.stderr.write(`${mismatches.length} of ${total} recordings did not score as recorded.\n`);
  return EXIT_CODES.failed;
}
