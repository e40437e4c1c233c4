import path from "node:path";
import { GemmaCoderError } from "@gemma-coder/core";
import { buildShellEnv, runCommand } from "@gemma-coder/tools";
import type { EvalSuite } from "../suite/types.js";
import { RESULTS_FILE, ResultsWriter, readResults } from "./results-file.js";
import { runOne } from "./run-one.js";
import { runPool } from "./run-pool.js";
import type { RunRecord } from "./run-record.js";
import { type PlannedRun, runKey } from "./variant.js";

/** What an eval reports as it goes. */
export type EvalProgress =
  | {
      /** The eval begins: how many runs are planned, and how many were already done. */
      type: "start";
      total: number;
      resumed: number;
    }
  | {
      /** A run began. */
      type: "run-start";
      key: string;
      task: string;
      label: string;
    }
  | {
      /** A run finished and was recorded. */
      type: "run-end";
      record: RunRecord;
      /** Runs finished so far, resumed ones included. */
      done: number;
      total: number;
    };

/** Options of {@link runEval}. */
export interface RunEvalOptions {
  /** The suite. */
  suite: EvalSuite;
  /** The runs to make (see `planRuns` and `planReplayRuns`). */
  runs: readonly PlannedRun[];
  /** The results folder: `results.jsonl` and `transcripts/`. */
  outDir: string;
  /** Runs at a time. Default 1. */
  concurrency?: number | undefined;
  /** Where clones of git fixtures are cached. Default: `<outDir>/repos`. */
  gitCacheDir?: string | undefined;
  /** Where workspaces are made. Default: the system's temporary folder. */
  tmpDir?: string | undefined;
  /** Keep every run's workspace (for inspection). Default `false`. */
  keepWorkspaces?: boolean | undefined;
  /** Stops the eval: running runs are aborted and not recorded; a later eval resumes. */
  signal?: AbortSignal | undefined;
  /** Called as the eval goes. */
  onProgress?: ((event: EvalProgress) => void) | undefined;
}

/** What {@link runEval} resolves to. */
export interface EvalResult {
  /** A record for every planned run that finished, now or in an earlier eval, in plan order. */
  records: RunRecord[];
  /** How many runs were made now. */
  ran: number;
  /** How many were taken from the results file of an earlier eval. */
  resumed: number;
  /** Whether the eval was stopped before every run finished. */
  interrupted: boolean;
  /** The results file. */
  resultsFile: string;
  /** Lines of the results file that were skipped, as sentences. */
  warnings: string[];
}

/**
 * Runs an eval: the planned runs not already in the results file, `concurrency` at a
 * time, each appended to `results.jsonl` as it finishes. Stopping it (the signal) aborts
 * the runs in progress without recording them, so running it again with the same
 * results folder resumes where it stopped. Runs recorded with status `error` (the
 * workspace or provider failed) are made again.
 *
 * @param options - The suite, the runs, where results go, concurrency and progress.
 * @returns Every record of the planned runs.
 * @throws GemmaCoderError `config` when one of the suite's `requires` commands fails.
 */
export async function runEval(options: RunEvalOptions): Promise<EvalResult> {
  await checkRequirements(options.suite, options.signal);
  const resultsFile = path.join(options.outDir, RESULTS_FILE);
  const previous = await readResults(resultsFile);
  const planned = new Set(options.runs.map(runKey));
  const done = new Map<string, RunRecord>();
  for (const record of previous.records) {
    if (planned.has(record.key) && record.status !== "error") done.set(record.key, record);
  }
  const todo = options.runs.filter((run) => !done.has(runKey(run)));
  const total = options.runs.length;
  const resumed = done.size;
  options.onProgress?.({ type: "start", total, resumed });
  const writer = new ResultsWriter(resultsFile);
  let ran = 0;
  await runPool(
    todo,
    options.concurrency ?? 1,
    async (run) => {
      const key = runKey(run);
      options.onProgress?.({ type: "run-start", key, task: run.task.id, label: run.variant.label });
      const record = await runOne(run, {
        suite: options.suite,
        outDir: options.outDir,
        gitCacheDir: options.gitCacheDir ?? path.join(options.outDir, "repos"),
        tmpDir: options.tmpDir,
        keepWorkspace: options.keepWorkspaces,
        signal: options.signal,
      });
      // A run cut short by the eval stopping is not a result: it runs again on resume.
      if (options.signal?.aborted) return;
      await writer.append(record);
      done.set(key, record);
      ran++;
      options.onProgress?.({ type: "run-end", record, done: done.size, total });
    },
    options.signal,
  );
  const records = options.runs.flatMap((run) => done.get(runKey(run)) ?? []);
  return {
    records,
    ran,
    resumed,
    interrupted: records.length < total,
    resultsFile,
    warnings: previous.warnings,
  };
}

/** Runs the suite's `requires` commands; the first that fails stops the eval before any run. */
async function checkRequirements(suite: EvalSuite, signal: AbortSignal | undefined): Promise<void> {
  for (const command of suite.requires) {
    const ran = await runCommand(command, {
      cwd: suite.dir,
      env: buildShellEnv(process.env),
      timeoutMs: 60_000,
      maxOutputBytes: 16 * 1024,
      signal,
    });
    if (ran.exitCode !== 0 || ran.timedOut) {
      throw new GemmaCoderError(
        `The suite ${suite.name} needs what \`${command}\` checks for, and it failed${ran.timedOut ? " (timed out)" : ` (exit ${ran.exitCode})`}: ${ran.output.slice(-400)}\nSee the suite's README for what to install.`,
        { code: "config" },
      );
    }
  }
}
