import { awaitModel } from "./await-model.js";
import { executeTool } from "./execute-tool.js";
import type { Run } from "./run-context.js";
import type { TurnOutcome } from "./turn-outcome.js";

/**
 * The handler of each state a turn passes through (see the transition table in
 * agent-states.ts): `awaiting-model` ends with a call to run or with the turn's outcome;
 * `executing-tool` runs the call.
 */
export const TURN_STATE_HANDLERS = {
  "awaiting-model": awaitModel,
  "executing-tool": executeTool,
} as const;

/**
 * One turn: the model's reply, then the tool it called, if any.
 *
 * @param run - The run.
 * @returns `continue` with the next turn, or the stop the run ends with.
 */
export async function runTurn(run: Run): Promise<TurnOutcome> {
  const reply = await TURN_STATE_HANDLERS["awaiting-model"](run);
  if (reply.kind !== "call") return reply;
  return TURN_STATE_HANDLERS["executing-tool"](run, reply.call);
}
