import { scanJson } from "../protocol/json-scan.js";
import { canonicalizeTags } from "../protocol/tag-variants.js";
import { CALL_TAGS, GEMMA_CALL_OPEN } from "../protocol/tags.js";
import type { FinishReason } from "../provider/provider.js";
import type { AgentEventMap } from "./events.js";

/**
 * Whether a reply was stopped by a stop sequence inside one of its call's JSON strings:
 * the agent writing about this very protocol puts `</tool>` in a string, and a server
 * given `</tool>` as a stop sequence stops at the first one it generates. The parser
 * ends a call where its JSON ends; the server cannot know that.
 *
 * @param text - The reply as streamed.
 * @param reason - Why it ended.
 * @returns `true` when the stop came while a call's string was open.
 */
export function stoppedInsideCallString(text: string, reason: FinishReason): boolean {
  if (reason !== "stop-sequence") return false;
  const canonical = canonicalizeTags(text);
  let body: string | undefined;
  let at = Number.POSITIVE_INFINITY;
  for (const [open] of CALL_TAGS) {
    if (open === GEMMA_CALL_OPEN) continue;
    const index = canonical.indexOf(open);
    if (index !== -1 && index < at) {
      at = index;
      body = canonical.slice(index + open.length);
    }
  }
  if (body === undefined) return false;
  const scan = scanJson(body);
  return !scan.balanced && scan.inString;
}

/** The transcript notice for a turn asked again without its stop sequences. */
export const STOP_INSIDE_CALL_NOTICE =
  "The reply stopped at a stop sequence inside one of its call's strings; its text was withdrawn and the turn is asked again without stop sequences, which stay off for the rest of the run.";

/**
 * The `turn-restart` event for a turn asked again because a stop sequence cut its call
 * inside a string. It is not a retry of a failure: it uses no turn-retry budget.
 *
 * @param runId - The run.
 * @param step - The turn.
 * @param withdrawn - The text the turn streamed.
 * @returns The event payload.
 */
export function stopInsideCallRestart(
  runId: string,
  step: number,
  withdrawn: string,
): AgentEventMap["turn-restart"] {
  return {
    runId,
    step,
    attempt: 1,
    retries: 1,
    reason: { code: "stop-inside-call", message: STOP_INSIDE_CALL_NOTICE },
    withdrawn,
    delayMs: 0,
  };
}
