import type { RunRecord } from "../run/run-record.js";
import type { EvalSummary } from "./summarize.js";

/** The JSON report: the summary, and every run's record with its checks. */
export interface JsonReport extends EvalSummary {
  /** The format's version. */
  version: 1;
  /** Every run's record, in plan order. */
  runs: RunRecord[];
}

/**
 * Builds the JSON report: what the Markdown report shows, plus every run's record (the
 * checks' output included), for scripts and dashboards.
 *
 * @param summary - The summary of the eval.
 * @param records - The runs' records.
 * @returns The report object (serialize it with `JSON.stringify`).
 */
export function jsonReport(summary: EvalSummary, records: readonly RunRecord[]): JsonReport {
  return { version: 1, ...summary, runs: [...records] };
}
