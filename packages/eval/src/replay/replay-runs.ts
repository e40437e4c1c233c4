import { promises as fs } from "node:fs";
import type { ModelProvider } from "@gemma-coder/core";
import { createReplayModel, createScriptedModel } from "@gemma-coder/core/testing";
import { selectTasks } from "../run/plan-runs.js";
import { type EvalVariant, type PlannedRun, variantId } from "../run/variant.js";
import { EvalFileError } from "../suite/eval-file-error.js";
import { REPLAYS_DIR } from "../suite/load-suite.js";
import { OUTCOMES } from "../suite/suite-schema.js";
import type { EvalRecording, EvalSuite } from "../suite/types.js";

/**
 * A fresh model that plays a recording: its scripted replies, or the replies of a kept
 * transcript.
 *
 * @param recording - The recording.
 * @returns A provider for one run.
 */
export async function recordingModel(recording: EvalRecording): Promise<ModelProvider> {
  if (recording.transcript !== undefined) {
    return createReplayModel(await fs.readFile(recording.transcript, "utf8"), {
      id: "replay",
      model: `replay of ${recording.name}`,
    });
  }
  const model = createScriptedModel(recording.replies ?? [], { id: "replay" });
  return { ...model, model: `replay of ${recording.name}` };
}

/**
 * Plans the replay of a suite: every recording of every task, once, each expected to get
 * the score it states. Recordings of the same name (`pass`, `fail`, `partial`) form one
 * variant, so the table has a row per kind of recording.
 *
 * @param suite - The suite.
 * @param options - Only these task ids.
 * @returns The runs, each with its expected score.
 * @throws EvalFileError for a task that has no recording.
 */
export function planReplayRuns(
  suite: EvalSuite,
  options: { only?: readonly string[] | undefined } = {},
): PlannedRun[] {
  const tasks = selectTasks(suite, options.only);
  const variants = new Map<string, EvalVariant>();
  const variantFor = (name: string): EvalVariant => {
    let variant = variants.get(name);
    if (!variant) {
      variant = {
        id: `replay-${variantId(name)}`,
        label: `replay: ${name}`,
        provider: ({ task }) => {
          const recording = task.recordings.find((entry) => entry.name === name);
          if (!recording) throw new EvalFileError(task.file, undefined, `no recording "${name}".`);
          return recordingModel(recording);
        },
      };
      variants.set(name, variant);
    }
    return variant;
  };
  const runs: PlannedRun[] = [];
  for (const task of tasks) {
    if (task.recordings.length === 0) {
      throw new EvalFileError(
        task.file,
        undefined,
        `the task has no recordings to replay: add ${REPLAYS_DIR}/<name>.json beside it, each with "expect" and "replies".`,
      );
    }
    // Passing recordings first, so the table reads pass, partial, fail.
    const ordered = [...task.recordings].sort(
      (a, b) => OUTCOMES.indexOf(a.expect) - OUTCOMES.indexOf(b.expect),
    );
    for (const recording of ordered) {
      runs.push({
        variant: variantFor(recording.name),
        task,
        repeat: 1,
        expected: recording.expect,
      });
    }
  }
  return runs;
}
