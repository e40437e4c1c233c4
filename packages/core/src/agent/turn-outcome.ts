import type { GemmaCoderError } from "../errors/gemma-coder-error.js";
import type { StopReason } from "./events.js";

/** How a run ends: the reason, the message for the user and, for a failure, the error. */
export interface RunStop {
  readonly kind: "stop";
  /** Why the run stopped. */
  readonly stopReason: StopReason;
  /** One sentence for the user. */
  readonly message: string;
  /** The failure, when there is one. */
  readonly error?: GemmaCoderError | undefined;
}

/** What one turn (or one state's handler) decided: go on with the next turn, or stop. */
export type TurnOutcome = { readonly kind: "continue" } | RunStop;

/** The outcome that goes on with the next turn. */
export const CONTINUE: TurnOutcome = { kind: "continue" };

/**
 * A stop outcome.
 *
 * @param stopReason - Why the run stops.
 * @param message - One sentence for the user.
 * @param error - The failure, when there is one.
 * @returns The outcome.
 */
export function stopRun(stopReason: StopReason, message: string, error?: GemmaCoderError): RunStop {
  return { kind: "stop", stopReason, message, ...(error === undefined ? {} : { error }) };
}
