import { type Interpretation, interpretReply } from "./interpret-reply.js";
import { guardRepeats } from "./repeat-guard.js";
import type { Run } from "./run-context.js";
import { throwIfAborted } from "./run-signal.js";
import { streamTurn } from "./stream-turn.js";
import { CONTINUE, stopRun } from "./turn-outcome.js";

/**
 * The `awaiting-model` state: a new step within `maxSteps`, the conversation fitted to
 * the context window, the model's reply streamed, interpreted and checked for repeats.
 * A broken stream that is asked again keeps the step number.
 *
 * @param run - The run.
 * @returns The call to run, or the turn's outcome (`continue` after feedback, or a stop).
 */
export async function awaitModel(run: Run): Promise<Interpretation> {
  const { maxSteps } = run.settings;
  if (run.steps - run.firstStep >= maxSteps) {
    return stopRun(
      "max-steps",
      `The run reached its limit of ${maxSteps} ${maxSteps === 1 ? "step" : "steps"} without calling done.`,
    );
  }
  const step = ++run.steps;
  run.setState("awaiting-model");
  run.journal.emit("turn-start", { runId: run.runId, step });
  await fitContext(run, step);
  throwIfAborted(run.signal);
  await run.journal.request(step, run.messages);

  const streamed = await streamTurn(run, step);
  if (streamed.kind === "retry") {
    run.steps--;
    return CONTINUE;
  }
  if (streamed.kind === "stop") return streamed;
  const reply = await interpretReply(run, step, streamed);
  return reply.kind === "call" ? guardRepeats(run, reply.call) : reply;
}

/** Elides or compacts the history when the next request would not fit the window. */
async function fitContext(run: Run, step: number): Promise<void> {
  const summarize = run.summarize;
  for (const change of await run.context.fit(run.messages, summarize)) {
    throwIfAborted(run.signal);
    await run.journal.contextChange(step, change);
  }
}
