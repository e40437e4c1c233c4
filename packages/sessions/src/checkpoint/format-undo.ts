import type { UndoResult } from "@gemma-coder/core";

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/**
 * Describes an undo for people, one line per file, e.g. for `gemma-coder undo`:
 *
 * ```
 * Undid run 3f2a…: restored 2 files, removed 1 file, left 1 file as it was (changed since the run).
 *   restored  src/a.js
 *   removed   notes.txt
 *   kept      src/b.js: It was changed after the run by someone else; ...
 * ```
 *
 * @param result - What `undo` returned.
 * @returns Plain text without colours, ending without a newline.
 */
export function formatUndoResult(result: UndoResult): string {
  const parts: string[] = [];
  if (result.restored.length > 0) parts.push(`restored ${plural(result.restored.length, "file")}`);
  if (result.deleted.length > 0) parts.push(`removed ${plural(result.deleted.length, "file")}`);
  if (result.conflicts.length > 0) {
    parts.push(`left ${plural(result.conflicts.length, "file")} as it was (changed since the run)`);
  }
  const head =
    parts.length === 0
      ? `Run ${result.runId} left nothing to undo.`
      : `Undid run ${result.runId}: ${parts.join(", ")}.`;
  const lines = [head];
  for (const file of result.restored) lines.push(`  restored  ${file}`);
  for (const file of result.deleted) lines.push(`  removed   ${file}`);
  for (const conflict of result.conflicts)
    lines.push(`  kept      ${conflict.path}: ${conflict.reason}`);
  for (const note of result.notes) lines.push(`Note: ${note}`);
  return lines.join("\n");
}
