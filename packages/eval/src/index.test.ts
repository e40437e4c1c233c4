import { expect, it } from "vitest";

it("pins the runtime export list of @gemma-coder/eval", async () => {
  expect(Object.keys(await import("./index.js")).sort()).toEqual([
    "EvalFileError",
    "REPLAYS_DIR",
    "RESULTS_FILE",
    "RESULTS_VERSION",
    "ResultsWriter",
    "SUITE_MANIFEST",
    "TASK_DEFAULTS",
    "TASK_FILE",
    "applyOverlay",
    "formatDuration",
    "jsonReport",
    "loadSuite",
    "markdownReport",
    "parseDuration",
    "planReplayRuns",
    "planRuns",
    "prepareWorkspace",
    "readResults",
    "recordingModel",
    "runChecks",
    "runEval",
    "runKey",
    "runOne",
    "scoreChecks",
    "selectTasks",
    "summarize",
    "transcriptFileStore",
    "variantId",
  ]);
});
