import type { UndoResult } from "@gemma-coder/core";
import type { LastRun } from "./run-controller.js";
import type { RecordedWrite } from "./workspace-fs.js";
import { workspaceRelative } from "./workspace-relative.js";

/** What undo needs: the checkpointer, and the editor to restore files in. */
export interface UndoTarget {
  /** The workspace folder. */
  workspace: string;
  /** The sessions' checkpointer (undo, and the latest run when this window ran none). */
  checkpointer: {
    undo(runId: string): Promise<UndoResult>;
    latest(): Promise<{ runId: string; state: string } | undefined>;
  };
  /** Reads a file as the editor has it; throws `ENOENT` when it is missing. */
  read(absolutePath: string): Promise<string>;
  /** Replaces a file's text through a `WorkspaceEdit` and saves it. */
  replaceAndSave(absolutePath: string, content: string, create: boolean): Promise<boolean>;
  /** Deletes a file through a `WorkspaceEdit`. */
  remove(absolutePath: string): Promise<boolean>;
}

/** Restores one file the run wrote through the editor, when it still holds what the run left. */
async function restoreInEditor(target: UndoTarget, write: RecordedWrite): Promise<boolean> {
  const now = await target.read(write.path).catch(() => undefined);
  if (now !== write.after) return false;
  return write.before === undefined
    ? target.remove(write.path)
    : target.replaceAndSave(write.path, write.before, false);
}

/**
 * Undoes the last run. Files the run wrote through the editor, and that still hold what it
 * wrote, are put back through a `WorkspaceEdit` first, so open editors follow and the
 * editor's own undo can redo them; then the sessions checkpointer undoes the run (it
 * restores what a shell command changed, reports files changed since, and marks the run
 * undone). Without a run in this window, the workspace's latest checkpoint is undone.
 *
 * @param target - The checkpointer and the editor.
 * @param last - This window's last run, if any.
 * @returns What was restored, removed and left alone, or `undefined` when there is nothing to undo.
 */
export async function undoLastRun(
  target: UndoTarget,
  last: LastRun | undefined,
): Promise<UndoResult | undefined> {
  const latest = await target.checkpointer.latest();
  if (!latest || latest.state === "undone") return undefined;
  const writes = last?.runId === latest.runId ? [...last.writes.values()] : [];
  const restored: string[] = [];
  const deleted: string[] = [];
  for (const write of writes) {
    if (!(await restoreInEditor(target, write))) continue;
    (write.before === undefined ? deleted : restored).push(
      workspaceRelative(target.workspace, write.path),
    );
  }
  const result = await target.checkpointer.undo(latest.runId);
  const ours = new Set([...restored, ...deleted]);
  return {
    ...result,
    restored: [...new Set([...result.restored, ...restored])].sort(),
    deleted: [...new Set([...result.deleted, ...deleted])].sort(),
    unchanged: result.unchanged.filter((file) => !ours.has(file)),
  };
}
