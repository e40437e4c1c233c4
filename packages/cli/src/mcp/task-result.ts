import type { RunResult } from "@gemma-coder/core";
import type { ChangedFile } from "./file-changes.js";

/** The structured content of a `run_task` result. */
export interface TaskOutcome {
  /** How the run ended: `done`, `failed` or `aborted`. */
  status: RunResult["status"];
  /** The specific reason (`done`, `max-steps`, `timeout`, ...). */
  stopReason: RunResult["stopReason"];
  /** The model's summary, when it called `done`. */
  summary: string;
  /** A sentence explaining the stop. */
  message: string;
  /** Model turns taken. */
  steps: number;
  /** The files the run changed, with diffs. */
  filesChanged: ChangedFile[];
  /** Changes and commands refused because the server runs without `--yes`. */
  refused: number;
  /** The run's id (for `gemma-coder undo <run-id>` in the workspace). */
  runId: string;
}

/**
 * The text a host reads: the status, the summary, what was refused and why, then each
 * changed file's diff.
 *
 * @param outcome - The structured result.
 * @param refusedBecause - Why changes were refused (names the flag), when some were.
 * @returns The text.
 */
export function formatTaskOutcome(outcome: TaskOutcome, refusedBecause: string): string {
  const lines = [
    `Status: ${outcome.status} (${outcome.stopReason}) after ${outcome.steps} step${outcome.steps === 1 ? "" : "s"}.`,
    outcome.summary ? `Summary: ${outcome.summary}` : `Message: ${outcome.message}`,
  ];
  if (outcome.refused > 0) {
    lines.push(
      `${outcome.refused} change${outcome.refused === 1 ? " was" : "s were"} refused: ${refusedBecause}`,
    );
  }
  if (outcome.filesChanged.length === 0) lines.push("Files changed: none.");
  else {
    lines.push(`Files changed: ${outcome.filesChanged.map((f) => f.path).join(", ")}`);
    for (const file of outcome.filesChanged) lines.push("", file.diff.trimEnd());
  }
  return lines.join("\n");
}
