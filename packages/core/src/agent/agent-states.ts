import type { AgentState, StopReason } from "./events.js";

/**
 * The state machine of a run (see docs/architecture.md): for each state, the states it may
 * move to. The handler of each state:
 *
 * - `idle`: `openRun` (agent.ts) opens the journal; `startRun` (start-run.ts) builds the
 *   conversation;
 * - `awaiting-model`: `awaitModel` (await-model.ts): stream the turn, interpret the reply,
 *   guard against repeats;
 * - `executing-tool`: `executeTool` (execute-tool.ts): approve, checkpoint, run;
 * - `done` / `failed` / `aborted`: `finishRun` (finish-run.ts) writes the result.
 */
export const TRANSITIONS: Readonly<Record<AgentState, readonly AgentState[]>> = {
  idle: ["awaiting-model", "failed", "aborted"],
  "awaiting-model": ["awaiting-model", "executing-tool", "failed", "aborted"],
  "executing-tool": ["awaiting-model", "done", "failed", "aborted"],
  done: ["idle"],
  failed: ["idle"],
  aborted: ["idle"],
};

/** The states a run ends in; the next run starts by moving back to `idle`. */
export const TERMINAL: ReadonlySet<AgentState> = new Set(["done", "failed", "aborted"]);

/**
 * Throws on a move the table does not allow: that is a bug in the loop, never the model's.
 *
 * @param from - The current state.
 * @param to - The next state.
 */
export function assertTransition(from: AgentState, to: AgentState): void {
  if (!TRANSITIONS[from].includes(to)) {
    throw new Error(`Internal error: illegal agent state transition ${from} -> ${to}.`);
  }
}

/**
 * The state a run ends in for a stop reason.
 *
 * @param stopReason - Why the run stopped.
 * @returns `done`, `aborted` or `failed`.
 */
export function terminalStateFor(stopReason: StopReason): AgentState {
  return stopReason === "aborted" ? "aborted" : stopReason === "done" ? "done" : "failed";
}
