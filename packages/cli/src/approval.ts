import type { ApprovalDecision, ApprovalRequest } from "@gemma-coder/tools";
import { describeCall } from "./render/describe-call.js";

/** The reason given to the model (and shown) when there is no one to ask. */
export const NO_TERMINAL_REASON =
  "not approved: run with --yes to allow changes without a terminal";

/** How changes are approved. */
export type ApprovalMode =
  /** `--yes`: everything is allowed. */
  | "allow-all"
  /** A person answers each question (a terminal). */
  | "ask"
  /** Nobody to ask and no `--yes`: every change is refused. */
  | "refuse";

/** Options of {@link createApprover}. */
export interface ApproverOptions {
  /** The mode. */
  mode: ApprovalMode;
  /**
   * Asks a question and resolves with the answer, or `undefined` when the input ended.
   * Used in `ask` mode.
   */
  ask?: (question: string) => Promise<string | undefined>;
  /** Told of every refusal, so the view can say why nothing changed. */
  onRefused?: (request: ApprovalRequest, reason: string) => void;
}

/**
 * Creates the approval hook handed to the tools: in `ask` mode it asks
 * `Allow write_file src/a.py? [y]es/[n]o/[a]lways`, where "always" allows that tool for the
 * rest of the run; in `refuse` mode it denies with {@link NO_TERMINAL_REASON} rather than
 * waiting on a prompt no one will answer.
 *
 * @param options - The mode and the question function.
 * @returns The hook.
 */
export function createApprover(
  options: ApproverOptions,
): (request: ApprovalRequest) => Promise<ApprovalDecision> {
  const always = new Set<string>();
  let queue: Promise<unknown> = Promise.resolve();
  const refuse = (request: ApprovalRequest, reason: string): ApprovalDecision => {
    options.onRefused?.(request, reason);
    return { allow: false, reason };
  };
  return async (request) => {
    if (options.mode === "allow-all" || always.has(request.tool)) return true;
    if (options.mode === "refuse" || !options.ask) return refuse(request, NO_TERMINAL_REASON);
    const ask = options.ask;
    const args = (request.input ?? {}) as Record<string, unknown>;
    // One question at a time, even if calls ever overlap.
    const answer = queue.then(() =>
      always.has(request.tool)
        ? "a"
        : ask(`Allow ${describeCall(request.tool, args)}? [y]es/[n]o/[a]lways `),
    );
    queue = answer.catch(() => undefined);
    const text = (await answer)?.trim().toLowerCase();
    if (text === "y" || text === "yes") return true;
    if (text === "a" || text === "always") {
      always.add(request.tool);
      return true;
    }
    if (text === undefined)
      return refuse(request, "not approved: the input ended before an answer");
    return refuse(request, "the user said no");
  };
}
