import type { StopReason } from "@agentclientprotocol/sdk";
import type { RunResult } from "@gemma-coder/core";

/**
 * Maps how a run ended to the ACP stop reason: `done` → `end_turn`, the step limit →
 * `max_turn_requests`, a reply cut at the token limit → `max_tokens`, a cancel →
 * `cancelled`. The other stops (timeout, too many invalid or repeated replies) end the
 * turn normally; the agent says why in a message first. A provider failure is not a stop
 * reason: the caller answers it with an error.
 *
 * @param result - The run's result.
 * @param lastFinishReason - How the last model turn ended (`length` at the token limit).
 * @returns The stop reason for the `session/prompt` answer.
 */
export function toStopReason(result: RunResult, lastFinishReason: string | undefined): StopReason {
  if (result.status === "aborted" || result.stopReason === "aborted") return "cancelled";
  if (result.status === "done") return "end_turn";
  if (result.stopReason === "max-steps") return "max_turn_requests";
  if (lastFinishReason === "length") return "max_tokens";
  return "end_turn";
}
