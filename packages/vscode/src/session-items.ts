import type { SessionSummary } from "@gemma-coder/sessions";
import type { SessionItem } from "./protocol.js";

/** The most sessions the history list shows. */
export const MAX_LISTED_SESSIONS = 30;

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}

/**
 * The history list's entries from the session store's summaries: newest first, empty and
 * unreadable sessions left out (there is nothing to resume in them).
 *
 * @param summaries - What `store.list()` returned.
 * @returns The entries.
 */
export function sessionItems(summaries: readonly SessionSummary[]): SessionItem[] {
  return summaries
    .filter((summary) => summary.status !== "empty" && summary.status !== "unreadable")
    .sort((a, b) => b.updatedAt - a.updatedAt)
    .slice(0, MAX_LISTED_SESSIONS)
    .map((summary) => ({
      id: summary.sessionId,
      task: oneLine(summary.task ?? "(no task)"),
      status: summary.status,
      updatedAt: summary.updatedAt,
    }));
}
