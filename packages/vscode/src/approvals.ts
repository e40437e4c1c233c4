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
  /**
   * The change as the diff showed it, set by the UI once it computed the proposal.
   * Accepting it allows writing exactly this text to this file, nothing else.
   */
  shown?: ShownChange;
}

/** A file change as the approval diff showed it. */
export interface ShownChange {
  /** The file, absolute. */
  absolutePath: string;
  /** The text the diff's right side showed. */
  after: string;
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
  /**
   * Whether a file change must be asked about even under `auto-edits` or an accept-all
   * given on a file change: a change VS Code itself acts on (`.vscode/tasks.json` can run
   * a task when the folder opens, `.vscode/settings.json` can name programs to start).
   */
  alwaysAsk?: (request: ApprovalRequest) => Promise<boolean>;
}

/** The tools whose calls change files (the rest with side effects run commands). */
const FILE_TOOLS: ReadonlySet<string> = new Set(["write_file", "edit_file"]);

/**
 * The approval flow of the chat view as a small state machine: calls wait one at a time;
 * each is answered accept, reject or accept-all (given on a file change, every later file
 * change of this session is allowed; given on a command, every later call); a stop withdraws the pending one. It knows nothing of VS Code: the UI is
 * given as callbacks, so the flow is tested alone.
 */
export class ApprovalQueue {
  private readonly options: ApprovalQueueOptions;
  private nextId = 1;
  /** What "accept all this session" covers: nothing, file changes, or every call. */
  private acceptAll: "none" | "files" | "everything" = "none";
  private current:
    | { pending: PendingApproval; resolve: (decision: ApprovalDecision) => void }
    | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private accepted: ShownChange | undefined;

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

  /** Whether "accept all this session" was chosen (on a file change or on a command). */
  get acceptingAll(): boolean {
    return this.acceptAll !== "none";
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
    if (answer === "accept-all") {
      // Given on a file change it covers file changes; given on a command, every call.
      const files = FILE_TOOLS.has(current.pending.request.tool);
      this.acceptAll = files && this.acceptAll !== "everything" ? "files" : "everything";
    }
    this.settle(
      answer === "reject" ? { allow: false, reason: "the user rejected it in VS Code" } : true,
    );
    return true;
  }

  /**
   * The change the person last accepted in the diff, if it was for this file, once: the
   * write that follows must be exactly that text.
   *
   * @param absolutePath - The file about to be written.
   * @returns The text the diff showed, or `undefined` when no diff was accepted for it.
   */
  takeAccepted(absolutePath: string): string | undefined {
    const accepted = this.accepted;
    this.accepted = undefined;
    return accepted?.absolutePath === absolutePath ? accepted.after : undefined;
  }

  /** Withdraws the pending question (the run stopped): it is denied, and the UI closes. */
  cancel(): void {
    if (this.current) this.settle({ allow: false, reason: "the run was stopped" });
  }

  /** Starts a new session: accept-all no longer holds. */
  resetSession(): void {
    this.acceptAll = "none";
  }

  private async ask(request: ApprovalRequest): Promise<ApprovalDecision> {
    // An accepted diff holds only for the call it was shown for.
    this.accepted = undefined;
    if (this.acceptAll === "everything") return true;
    const filesAllowed = this.acceptAll === "files" || this.options.mode() === "auto-edits";
    if (filesAllowed && FILE_TOOLS.has(request.tool)) {
      const mustAsk = await (this.options.alwaysAsk?.(request) ?? Promise.resolve(false)).catch(
        () => true,
      );
      if (!mustAsk) return true;
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
    this.accepted = decision === true ? current.pending.shown : undefined;
    current.resolve(decision);
    this.options.hide?.(current.pending);
    this.options.onChange?.(undefined);
  }
}
