import type { RunRecord } from "../run/run-record.js";
import type { Outcome } from "../suite/types.js";

/** Pass, partial and fail counts. */
export interface OutcomeCounts {
  /** Runs that passed. */
  pass: number;
  /** Runs that passed their partial checks only. */
  partial: number;
  /** Runs that failed. */
  fail: number;
}

/** One row of the table: a variant over the whole suite. */
export interface VariantSummary extends OutcomeCounts {
  /** The variant's id. */
  variant: string;
  /** The model column. */
  label: string;
  /** Runs recorded. */
  runs: number;
  /** Repetitions (the highest repeat recorded). */
  repeats: number;
  /** Pass, partial and fail per repetition, in order. */
  perRepeat: OutcomeCounts[];
  /** The share of runs that passed (0 to 1): pass@1 estimated over every repetition. */
  passAt1: number;
  /** How the pass count varies between repetitions. */
  passSpread: {
    /** The fewest passes in one repetition. */
    min: number;
    /** The most. */
    max: number;
    /** The standard deviation of the pass counts (0 for one repetition). */
    stdev: number;
  };
  /** Runs that could not run (workspace or provider failed). */
  errors: number;
  /** Model turns over every run. */
  steps: number;
  /** Invalid replies over every run. */
  invalidReplies: number;
  /** Failed tool calls over every run. */
  toolErrors: number;
  /** Prompt tokens over every run. */
  inputTokens: number;
  /** Generated tokens over every run. */
  outputTokens: number;
  /** Milliseconds over every run. */
  wallMs: number;
}

/** One task under one variant, over its repetitions. */
export interface TaskSummary {
  /** The task's id. */
  task: string;
  /** The variant's id. */
  variant: string;
  /** The model column. */
  label: string;
  /** The score of each repetition, in order. */
  outcomes: Outcome[];
  /** The score the recording says it gets (replays). */
  expected: Outcome | undefined;
  /** Why each repetition's agent stopped. */
  stopReasons: string[];
  /** Model turns, summed over repetitions. */
  steps: number;
  /** Invalid replies, summed. */
  invalidReplies: number;
  /** Failed tool calls, summed. */
  toolErrors: number;
  /** Prompt tokens, summed. */
  inputTokens: number;
  /** Generated tokens, summed. */
  outputTokens: number;
  /** Milliseconds, summed. */
  wallMs: number;
  /** The checks that failed in any repetition, by name. */
  failedChecks: string[];
  /** The transcripts, relative to the results folder. */
  transcripts: string[];
}

/** A run whose score is not the one its recording states. */
export interface Mismatch {
  /** The run's key. */
  key: string;
  /** The task. */
  task: string;
  /** The recording (the variant's label). */
  label: string;
  /** What the recording says. */
  expected: Outcome;
  /** What the run got. */
  got: Outcome;
  /** Why the agent stopped, and the checks that failed, for the message. */
  detail: string;
}

/** Everything the report shows, computed from the records. */
export interface EvalSummary {
  /** The suite's name. */
  suite: string;
  /** Rows of the table, in the order the variants first appear. */
  variants: VariantSummary[];
  /** Per task and variant. */
  tasks: TaskSummary[];
  /** Replayed runs that did not score as recorded. */
  mismatches: Mismatch[];
}

const zero = (): OutcomeCounts => ({ pass: 0, partial: 0, fail: 0 });

/**
 * Sums the records of an eval into the table, the per-task rows and the mismatches.
 *
 * @param suite - The suite's name.
 * @param records - The runs' records (any order).
 * @returns The summary.
 */
export function summarize(suite: string, records: readonly RunRecord[]): EvalSummary {
  const variants = new Map<string, RunRecord[]>();
  for (const record of records) {
    const list = variants.get(record.variant) ?? [];
    list.push(record);
    variants.set(record.variant, list);
  }
  return {
    suite,
    variants: [...variants.values()].map(summarizeVariant),
    tasks: summarizeTasks(records),
    mismatches: records.flatMap((record) =>
      record.expected !== undefined && record.expected !== record.outcome
        ? [
            {
              key: record.key,
              task: record.task,
              label: record.label,
              expected: record.expected,
              got: record.outcome,
              detail: describeRun(record),
            },
          ]
        : [],
    ),
  };
}

function summarizeVariant(records: RunRecord[]): VariantSummary {
  const first = records[0] as RunRecord;
  const repeats = Math.max(...records.map((record) => record.repeat));
  const perRepeat = Array.from({ length: repeats }, zero);
  const totals = zero();
  for (const record of records) {
    totals[record.outcome]++;
    (perRepeat[record.repeat - 1] as OutcomeCounts)[record.outcome]++;
  }
  const passes = perRepeat.map((counts) => counts.pass);
  const mean = passes.reduce((a, b) => a + b, 0) / passes.length;
  const variance = passes.reduce((sum, value) => sum + (value - mean) ** 2, 0) / passes.length;
  const sum = (pick: (record: RunRecord) => number) =>
    records.reduce((total, record) => total + pick(record), 0);
  return {
    variant: first.variant,
    label: first.label,
    ...totals,
    runs: records.length,
    repeats,
    perRepeat,
    passAt1: totals.pass / records.length,
    passSpread: { min: Math.min(...passes), max: Math.max(...passes), stdev: Math.sqrt(variance) },
    errors: records.filter((record) => record.status === "error").length,
    steps: sum((record) => record.steps),
    invalidReplies: sum((record) => record.invalidReplies),
    toolErrors: sum((record) => record.toolErrors),
    inputTokens: sum((record) => record.inputTokens),
    outputTokens: sum((record) => record.outputTokens),
    wallMs: sum((record) => record.wallMs),
  };
}

function summarizeTasks(records: readonly RunRecord[]): TaskSummary[] {
  const groups = new Map<string, RunRecord[]>();
  for (const record of records) {
    const key = `${record.task}\n${record.variant}`;
    const list = groups.get(key) ?? [];
    list.push(record);
    groups.set(key, list);
  }
  return [...groups.values()].map((group) => {
    const sorted = [...group].sort((a, b) => a.repeat - b.repeat);
    const first = sorted[0] as RunRecord;
    const sum = (pick: (record: RunRecord) => number) =>
      sorted.reduce((total, record) => total + pick(record), 0);
    const failed = new Set(
      sorted.flatMap((record) => record.checks.filter((c) => !c.passed).map((c) => c.name)),
    );
    return {
      task: first.task,
      variant: first.variant,
      label: first.label,
      outcomes: sorted.map((record) => record.outcome),
      expected: first.expected,
      stopReasons: sorted.map((record) => record.stopReason),
      steps: sum((record) => record.steps),
      invalidReplies: sum((record) => record.invalidReplies),
      toolErrors: sum((record) => record.toolErrors),
      inputTokens: sum((record) => record.inputTokens),
      outputTokens: sum((record) => record.outputTokens),
      wallMs: sum((record) => record.wallMs),
      failedChecks: [...failed],
      transcripts: sorted.flatMap((record) => record.transcript ?? []),
    };
  });
}

/** Why a run scored as it did, in a line. */
function describeRun(record: RunRecord): string {
  const failed = record.checks.filter((check) => !check.passed).map((check) => check.name);
  const passed = record.checks.filter((check) => check.passed).map((check) => check.name);
  const parts = [`agent stopped: ${record.stopReason}`];
  if (record.error) parts.push(record.error);
  if (failed.length > 0) parts.push(`failed checks: ${failed.join(", ")}`);
  if (passed.length > 0) parts.push(`passed checks: ${passed.join(", ")}`);
  return parts.join("; ");
}
