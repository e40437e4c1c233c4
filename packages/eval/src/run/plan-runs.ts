import { GemmaCoderError } from "@gemma-coder/core";
import type { EvalSuite, EvalTask } from "../suite/types.js";
import type { EvalVariant, PlannedRun } from "./variant.js";

/** Options of {@link planRuns}. */
export interface PlanRunsOptions {
  /** Run each task this many times per variant. Default 1. */
  repeat?: number | undefined;
  /** Only these task ids (default: every task). */
  only?: readonly string[] | undefined;
}

/**
 * Plans every run of a suite: each variant on each task, `repeat` times, in the order
 * repetition, task, variant, so that an interrupted eval has compared the variants on the
 * same tasks so far.
 *
 * @param suite - The suite.
 * @param variants - The variants compared (at least one, ids unique).
 * @param options - Repetitions and a task filter.
 * @returns The runs.
 * @throws GemmaCoderError `invalid-argument` for no variant, a repeated id, an unknown task or a bad count.
 */
export function planRuns(
  suite: EvalSuite,
  variants: readonly EvalVariant[],
  options: PlanRunsOptions = {},
): PlannedRun[] {
  const repeat = options.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1) {
    throw new GemmaCoderError(`repeat must be a whole number of 1 or more, got ${repeat}.`, {
      code: "invalid-argument",
    });
  }
  if (variants.length === 0) {
    throw new GemmaCoderError("An eval needs at least one variant (a model to run).", {
      code: "invalid-argument",
    });
  }
  const ids = new Set<string>();
  for (const variant of variants) {
    if (ids.has(variant.id)) {
      throw new GemmaCoderError(
        `Two variants have the id "${variant.id}": give each compared set of options its own label.`,
        { code: "invalid-argument" },
      );
    }
    ids.add(variant.id);
  }
  const tasks = selectTasks(suite, options.only);
  const runs: PlannedRun[] = [];
  for (let r = 1; r <= repeat; r++) {
    for (const task of tasks) {
      for (const variant of variants) runs.push({ variant, task, repeat: r });
    }
  }
  return runs;
}

/**
 * The tasks named (all when none are), in suite order.
 *
 * @param suite - The suite.
 * @param only - Task ids.
 * @returns The tasks.
 * @throws GemmaCoderError `invalid-argument` naming an id the suite does not have.
 */
export function selectTasks(suite: EvalSuite, only: readonly string[] | undefined): EvalTask[] {
  if (!only || only.length === 0) return [...suite.tasks];
  const known = new Set(suite.tasks.map((task) => task.id));
  for (const id of only) {
    if (!known.has(id)) {
      throw new GemmaCoderError(
        `The suite ${suite.name} has no task "${id}"; its tasks: ${[...known].join(", ")}.`,
        { code: "invalid-argument" },
      );
    }
  }
  return suite.tasks.filter((task) => only.includes(task.id));
}
