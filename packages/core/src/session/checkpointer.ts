import type { ToolResult } from "../protocol/tool-result.js";

/** A tool call that may change files, as told to a {@link Checkpointer}. */
export interface FileChange {
  /** The run making the change. */
  runId: string;
  /** The session the run writes to, when the agent has a session store. */
  sessionId?: string;
  /** The step of the call. */
  step: number;
  /** The tool's name, e.g. `edit_file` or `run_shell`. */
  tool: string;
  /** The validated arguments of the call. */
  args: Record<string, unknown>;
  /** Fires when the run is aborted. */
  signal?: AbortSignal;
}

/** Options of {@link Checkpointer.undo}. */
export interface UndoOptions {
  /** Overwrite files that were changed since the run (normally reported and left alone). */
  force?: boolean;
}

/** A file `undo` left alone because it cannot tell whose content it holds. */
export interface UndoConflict {
  /** The path, relative to the workspace, with `/` separators. */
  path: string;
  /** Why the file was not restored, as a sentence. */
  reason: string;
}

/** What an undo did. Paths are relative to the workspace, with `/` separators. */
export interface UndoResult {
  /** The run that was undone. */
  runId: string;
  /** Files put back as they were before the run (including files the run deleted). */
  restored: string[];
  /** Files the run created, now removed. */
  deleted: string[];
  /** Files the run touched that were already as they were before it. */
  unchanged: string[];
  /** Files changed since the run by someone else, left as they are. */
  conflicts: UndoConflict[];
  /** Other things the user should know (e.g. a shell command whose effects could not be checkpointed). */
  notes: string[];
}

/**
 * Takes snapshots of the files a run is about to change so the run can be undone.
 * The agent calls {@link Checkpointer.beforeChange} before every tool that is not
 * `readOnly` and {@link Checkpointer.afterChange} once it returns; the implementation
 * decides which files a call touches (from arguments such as `path`, or the whole
 * workspace for a shell command). `@gemma-coder/sessions` has one that uses git
 * plumbing inside a repository and plain copies elsewhere.
 */
export interface Checkpointer {
  /**
   * Saves the current state of the files a call may change, unless this run already
   * saved them. When it throws, the agent does not run the tool.
   *
   * @param change - The call about to run.
   */
  beforeChange(change: FileChange): Promise<void>;
  /**
   * Records the state the call left, so a later undo can tell the run's changes from
   * someone else's. Errors are reported as warnings and do not stop the run.
   *
   * @param change - The call that ran, with its result.
   */
  afterChange?(change: FileChange & { result: ToolResult }): Promise<void>;
  /**
   * Restores the files a run changed to their state before it: files the run created
   * are removed, files it deleted come back. Files changed since the run by someone
   * else are reported in `conflicts` and left as they are, unless `force`.
   *
   * @param runId - The run to undo.
   * @param options - Whether to overwrite conflicting files.
   * @returns What was restored, removed and left alone.
   */
  undo(runId: string, options?: UndoOptions): Promise<UndoResult>;
}
