/** What the ask and fix commands know about the editor. */
export interface EditorContext {
  /** The file's path relative to the workspace. */
  path: string;
  /** The selected text; empty when nothing is selected (the whole file is meant). */
  selection: string;
  /** The selection's first and last line, counting from 1 (when something is selected). */
  startLine: number;
  endLine: number;
}

/** Selections longer than this are named by line range only; the agent reads the file. */
const MAX_QUOTED_CHARS = 4_000;

function where(context: EditorContext): string {
  if (context.selection.trim() === "") return context.path;
  return context.startLine === context.endLine
    ? `${context.path} line ${context.startLine}`
    : `${context.path} lines ${context.startLine}-${context.endLine}`;
}

function quoted(context: EditorContext): string {
  const text = context.selection;
  if (text.trim() === "" || text.length > MAX_QUOTED_CHARS) return "";
  const fence = text.includes("```") ? "````" : "```";
  return `\n\nThe selected text:\n${fence}\n${text}\n${fence}`;
}

/**
 * The task for "ask about the file or selection": the question, the file and line range,
 * and the selected text (short selections only; the agent reads the file for the rest).
 *
 * @param question - What the person asked.
 * @param context - The file and the selection.
 * @returns The task text.
 */
export function askTaskText(question: string, context: EditorContext): string {
  return `${question.trim()}\n\nThis is about ${where(context)}. Answer from the code; do not change any file.${quoted(context)}`;
}

/**
 * The task for "fix the file or selection": what to fix (the person's words, or the
 * problems VS Code reports there), where, and the selected text.
 *
 * @param context - The file and the selection.
 * @param problems - The diagnostics in that range, as `line N: message`.
 * @param request - What the person asked for, if they said.
 * @returns The task text.
 */
export function fixTaskText(
  context: EditorContext,
  problems: readonly string[],
  request?: string,
): string {
  const what = request?.trim() ? request.trim() : "Fix the bugs";
  const reported =
    problems.length > 0
      ? `\n\nVS Code reports these problems there:\n${problems.map((p) => `- ${p}`).join("\n")}`
      : "";
  return `${what} in ${where(context)}. Change only what the fix needs.${reported}${quoted(context)}`;
}
