import { abortError } from "@gemma-coder/core/internal";
import { toToolError } from "./to-tool-error.js";

/**
 * Runs a tool body so that nothing but an SDK error leaves it: Node errors become short
 * messages for the model, and an abort is reported as such.
 *
 * @param signal - The call's abort signal.
 * @param shownPath - The path the model gave, for messages.
 * @param action - What the tool does to it, e.g. `read`.
 * @param body - The work.
 * @returns What the body returns.
 */
export async function guard<T>(
  signal: AbortSignal | undefined,
  shownPath: string,
  action: string,
  body: () => Promise<T>,
): Promise<T> {
  if (signal?.aborted) throw abortError(signal);
  try {
    return await body();
  } catch (error) {
    if (signal?.aborted) throw abortError(signal);
    throw toToolError(error, shownPath, action);
  }
}
