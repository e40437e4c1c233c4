import type { ApprovalDecision, ApprovalRequest } from "@gemma-coder/core";

/** The answers a person can give to one approval. */
export type ApprovalAnswer = "accept" | "reject" | "accept-all";

/** When changes are asked about (the `gemmaCoder.approval` setting). */
export type ApprovalMode = "ask" | "auto-edits";

/** One call waiting for its answer. */
export interface PendingApproval {
  /** Counts up from 1 over the extension's life; stale buttons carry an old id. */
  id: number;
  /** The tool and its validated input. */
  request: ApprovalRequest;
}

/** Options of {@link ApprovalQueue}. */
export interface ApprovalQueueOptions {
  /** The mode, read at each call (the setting may change between calls). */
  mode: () => ApprovalMode;
  /** Shows the question (diff editor, notification); the answer comes through {@link ApprovalQueue.answer}. */
  show: (pending: PendingApproval) => void;
  /** Told when a question is answered or withdrawn, so the UI can close what it opened. */
  hide?: (pending: PendingApproval) => void;
  /** Told whenever the pending question changes (`undefined`: none is pending). */
  onChange?: (pending: PendingApproval | undefined) => void;
}

/** The tools whose calls change files (the rest with side effects run commands). */
const FILE_TOOLS: ReadonlySet<string> = new Set(["write_file", "edit_file"]);

/**
 * The approval flow of the chat view as a small state machine: calls wait one at a time;
 * each is answered accept, reject or accept-all (every later call of this session is
 * allowed); a stop withdraws the pending one. It knows nothing of VS Code: the UI is
 * given as callbacks, so the flow is tested alone.
 */
export class ApprovalQueue {
  private readonly options: ApprovalQueueOptions;
  private nextId = 1;
  private acceptAll = false;
  private current:
    | { pending: PendingApproval; resolve: (decision: ApprovalDecision) => void }
    | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  /**
   * Creates the queue.
   *
   * @param options - The mode and the UI callbacks.
   */
  constructor(options: ApprovalQueueOptions) {
    this.options = options;
  }

  /** The question waiting for an answer, if any. */
  get pending(): PendingApproval | undefined {
    return this.current?.pending;
  }

  /** Whether "accept all this session" was chosen. */
  get acceptingAll(): boolean {
    return this.acceptAll;
  }

  /**
   * The agent's approval hook: allows at once under accept-all (and file changes under
   * `auto-edits`), else asks and waits for the answer.
   *
   * @param request - The call to approve.
   * @returns The decision.
   */
  readonly approve = (request: ApprovalRequest): Promise<ApprovalDecision> => {
    const asked = this.tail.then(() => this.ask(request));
    this.tail = asked.catch(() => undefined);
    return asked;
  };

  /**
   * Answers the pending question. An answer for another id (a stale notification) or
   * when nothing is pending does nothing.
   *
   * @param answer - The person's answer.
   * @param id - The question answered; default the pending one.
   * @returns Whether a question was answered.
   */
  answer(answer: ApprovalAnswer, id?: number): boolean {
    const current = this.current;
    if (!current || (id !== undefined && id !== current.pending.id)) return false;
    if (answer === "accept-all") this.acceptAll = true;
    this.settle(
      answer === "reject" ? { allow: false, reason: "the user rejected it in VS Code" } : true,
    );
    return true;
  }

  /** Withdraws the pending question (the run stopped): it is denied, and the UI closes. */
  cancel(): void {
    if (this.current) this.settle({ allow: false, reason: "the run was stopped" });
  }

  /** Starts a new session: accept-all no longer holds. */
  resetSession(): void {
    this.acceptAll = false;
  }

  private ask(request: ApprovalRequest): Promise<ApprovalDecision> {
    if (this.acceptAll) return Promise.resolve(true);
    if (this.options.mode() === "auto-edits" && FILE_TOOLS.has(request.tool)) {
      return Promise.resolve(true);
    }
    return new Promise<ApprovalDecision>((resolve) => {
      const pending: PendingApproval = { id: this.nextId++, request };
      this.current = { pending, resolve };
      this.options.onChange?.(pending);
      this.options.show(pending);
    });
  }

  private settle(decision: ApprovalDecision): void {
    const current = this.current as NonNullable<typeof this.current>;
    this.current = undefined;
    current.resolve(decision);
    this.options.hide?.(current.pending);
    this.options.onChange?.(undefined);
  }
}
