import { abortError, untilAborted } from "../errors/gemma-coder-error.js";

/**
 * What an approval hook answers: `true`/`false`, or an object with a reason that is
 * passed on to the model when the call is denied.
 */
export type ApprovalDecision = boolean | { allow: boolean; reason?: string };

/** What an approval hook is asked about. */
export interface ApprovalRequest {
  /** The tool's name, e.g. `run_shell`. */
  tool: string;
  /** The validated input the model gave. */
  input: unknown;
}

/**
 * Called before every tool that is not `readOnly` (changes files, runs a command). It may
 * be async, for instance to ask a person. A denial, a thrown error or an abort stops the
 * call.
 */
export type ApprovalHandler = (
  request: ApprovalRequest,
) => Promise<ApprovalDecision> | ApprovalDecision;

/**
 * Asks the approval hook about one call and says why it may not run. Nothing else happens
 * before the answer: the agent checkpoints and runs the tool only once this resolves with
 * `undefined`.
 *
 * @param approve - The hook.
 * @param request - The tool and its validated input.
 * @param signal - Aborts the wait; the hook's pending answer is then ignored.
 * @returns `undefined` when the call may run, else the error text the model reads.
 * @throws The abort error when `signal` fires while waiting.
 */
export async function askApproval(
  approve: ApprovalHandler,
  request: ApprovalRequest,
  signal?: AbortSignal | undefined,
): Promise<string | undefined> {
  if (signal?.aborted) throw abortError(signal);
  let decision: ApprovalDecision;
  try {
    decision = await untilAborted(
      Promise.resolve().then(() => approve(request)),
      signal,
    );
  } catch {
    if (signal?.aborted) throw abortError(signal);
    return `${request.tool} was not run: the approval check failed.`;
  }
  if (typeof decision === "boolean" ? decision : decision?.allow === true) return undefined;
  const reason = typeof decision === "object" && decision?.reason ? `: ${decision.reason}` : "";
  return `${request.tool} was denied by the user${reason}. Do not retry the same call.`;
}
