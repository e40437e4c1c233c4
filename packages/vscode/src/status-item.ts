import type { RunState } from "./protocol.js";

const WORDS: Record<RunState, string> = {
  idle: "idle",
  running: "running",
  "waiting-approval": "waiting for approval",
  done: "idle",
  stopped: "idle",
  error: "error",
};

/**
 * The status-bar text: `gemma-coder: <backend> · <state>`, the state being idle, running,
 * waiting for approval or error (a finished or stopped run is idle again).
 *
 * @param backend - The backend and model, or empty before the first run.
 * @param state - The run state.
 * @returns The text.
 */
export function statusText(backend: string, state: RunState): string {
  return `gemma-coder: ${backend === "" ? "no backend yet" : backend} · ${WORDS[state]}`;
}
