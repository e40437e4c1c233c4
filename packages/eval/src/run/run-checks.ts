import { buildShellEnv, runCommand } from "@gemma-coder/tools";
import type { EvalCheck, EvalTask, Outcome } from "../suite/types.js";

/** How one check ended. */
export interface CheckResult {
  /** The check's name. */
  name: string;
  /** Whether it exited 0 within its time limit. */
  passed: boolean;
  /** Whether a pass needs it. */
  required: boolean;
  /** Whether it counts for a partial score. */
  partial: boolean;
  /** Its exit code, or `null` when it was killed. */
  exitCode: number | null;
  /** It ran past its limit and its process group was killed. */
  timedOut: boolean;
  /** Milliseconds it ran. */
  durationMs: number;
  /** The end of what it printed (for the report and for debugging a score). */
  output: string;
}

/** The most characters of a check's output kept in the results. */
const KEPT_OUTPUT_CHARS = 2000;

/** Options of {@link runChecks}. */
export interface RunChecksOptions {
  /** The workspace the checks run in. */
  dir: string;
  /** The suite folder, given to checks as `GEMMA_EVAL_SUITE_DIR`. */
  suiteDir: string;
  /** Stops the checks (each running one is killed with its process group). */
  signal?: AbortSignal | undefined;
}

/**
 * Runs a task's checks one after another in the workspace, each through a shell in its
 * own process group with its own time limit: a check that hangs, or leaves a process
 * behind, is killed with everything it started, and counts as failed. Each check sees
 * the environment without variables that look like secrets, plus `GEMMA_EVAL_TASK_DIR`
 * (the task folder, where hidden check scripts live), `GEMMA_EVAL_SUITE_DIR` and
 * `GEMMA_EVAL_WORKSPACE`.
 *
 * @param task - The task whose checks run.
 * @param options - Workspace, suite folder and abort signal.
 * @returns One result per check, in order.
 */
export async function runChecks(task: EvalTask, options: RunChecksOptions): Promise<CheckResult[]> {
  const env = {
    ...buildShellEnv(process.env),
    PYTHONDONTWRITEBYTECODE: "1",
    GEMMA_EVAL_TASK_DIR: task.dir,
    GEMMA_EVAL_SUITE_DIR: options.suiteDir,
    GEMMA_EVAL_WORKSPACE: options.dir,
  };
  const results: CheckResult[] = [];
  for (const check of task.checks) {
    results.push(await runCheck(check, options.dir, env, options.signal));
  }
  return results;
}

async function runCheck(
  check: EvalCheck,
  dir: string,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal | undefined,
): Promise<CheckResult> {
  const base = { name: check.name, required: check.required, partial: check.partial };
  try {
    const ran = await runCommand(check.run, {
      cwd: dir,
      env,
      timeoutMs: check.timeoutMs,
      maxOutputBytes: 64 * 1024,
      signal,
    });
    const note = ran.timedOut ? `\n[killed after ${check.timeoutMs} ms: the time limit]` : "";
    return {
      ...base,
      passed: ran.exitCode === 0 && !ran.timedOut && !ran.aborted,
      exitCode: ran.exitCode,
      timedOut: ran.timedOut,
      durationMs: ran.durationMs,
      output: (ran.output + note).slice(-KEPT_OUTPUT_CHARS),
    };
  } catch (error) {
    return {
      ...base,
      passed: false,
      exitCode: null,
      timedOut: false,
      durationMs: 0,
      output: `the check could not start: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/**
 * Scores a run from its checks: `pass` when every required check passed; else `partial`
 * when the task marks checks as partial and all of those passed; else `fail`.
 *
 * @param checks - The results of the task's checks.
 * @returns The score.
 */
export function scoreChecks(checks: readonly CheckResult[]): Outcome {
  const required = checks.filter((check) => check.required);
  if (required.length > 0 && required.every((check) => check.passed)) return "pass";
  const partial = checks.filter((check) => check.partial);
  if (partial.length > 0 && partial.every((check) => check.passed)) return "partial";
  return "fail";
}
