import { GemmaCoderError } from "@gemma-coder/core";
import { BackendError, backendDown } from "./open-provider.js";

/** An error as the chat view shows it: what happened, and what to do about it. */
export interface Problem {
  /** What went wrong. */
  message: string;
  /** What to do, when there is something to do. */
  fix: string | undefined;
}

/**
 * Describes why a run could not start or ended in an error: a backend that failed its
 * check keeps its own fix; a backend that went away mid-run gets the same advice as one
 * that was never there; anything else is its message.
 *
 * @param error - What was thrown, or the run's error.
 * @returns The message and the fix.
 */
export function describeFailure(error: unknown): Problem {
  if (error instanceof BackendError) return { message: error.message, fix: error.fix };
  const message = error instanceof Error ? error.message : String(error);
  if (GemmaCoderError.isInstance(error) && error.code === "provider-connection") {
    return { message, fix: backendDown(error.provider ?? "auto", undefined).fix };
  }
  if (GemmaCoderError.isInstance(error) && error.code === "model-not-found") {
    return {
      message,
      fix: "Pull the model, or pick one the backend has with “gemma-coder: Pick Provider and Model”.",
    };
  }
  return { message, fix: undefined };
}
