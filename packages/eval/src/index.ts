/**
 * Task suites for gemma-coder agents: load a suite, run it against any model (or replay
 * its recordings), score each run with the task's checks and report the pass / partial /
 * fail table with the evidence behind each cell.
 *
 * @packageDocumentation
 */

export { planReplayRuns, recordingModel } from "./replay/replay-runs.js";
export type { JsonReport } from "./report/json-report.js";
export { jsonReport } from "./report/json-report.js";
export { formatDuration, markdownReport } from "./report/markdown-report.js";
export type {
  EvalSummary,
  Mismatch,
  OutcomeCounts,
  TaskSummary,
  VariantSummary,
} from "./report/summarize.js";
export { summarize } from "./report/summarize.js";
export type { PlanRunsOptions } from "./run/plan-runs.js";
export { planRuns, selectTasks } from "./run/plan-runs.js";
export type { PrepareWorkspaceOptions, Workspace } from "./run/prepare-workspace.js";
export { applyOverlay, prepareWorkspace } from "./run/prepare-workspace.js";
export type { ReadResults } from "./run/results-file.js";
export { RESULTS_FILE, ResultsWriter, readResults } from "./run/results-file.js";
export type { CheckResult, RunChecksOptions } from "./run/run-checks.js";
export { runChecks, scoreChecks } from "./run/run-checks.js";
export type { EvalProgress, EvalResult, RunEvalOptions } from "./run/run-eval.js";
export { runEval } from "./run/run-eval.js";
export type { RunOneOptions } from "./run/run-one.js";
export { runOne } from "./run/run-one.js";
export type { RunRecord } from "./run/run-record.js";
export { RESULTS_VERSION } from "./run/run-record.js";
export { transcriptFileStore } from "./run/transcript-file.js";
export type {
  EvalVariant,
  PlannedRun,
  VariantAgentOptions,
  VariantRunInfo,
} from "./run/variant.js";
export { runKey, variantId } from "./run/variant.js";
export type { DurationText } from "./suite/duration.js";
export { parseDuration } from "./suite/duration.js";
export { EvalFileError } from "./suite/eval-file-error.js";
export {
  loadSuite,
  REPLAYS_DIR,
  SUITE_MANIFEST,
  TASK_DEFAULTS,
  TASK_FILE,
} from "./suite/load-suite.js";
export type {
  ApprovalPolicy,
  EvalCheck,
  EvalFixture,
  EvalOverlay,
  EvalRecording,
  EvalSuite,
  EvalTask,
  Outcome,
} from "./suite/types.js";
