import * as vscode from "vscode";
import type { ApprovalAnswer, ApprovalQueue, PendingApproval } from "./approvals.js";
import { type Proposal, proposeChange } from "./propose-change.js";
import { PROPOSED_SCHEME, type ProposedContent } from "./proposed-content.js";

/** The notification buttons, exactly as the contract names them. */
const BUTTONS = { accept: "Accept", run: "Run", reject: "Reject", all: "Accept all this session" };

/** What the approval UI needs. */
export interface ApprovalUiOptions {
  /** The workspace folder. */
  workspace: string;
  /** Reads a file as the agent sees it (open document, else disk). */
  read: (absolutePath: string) => Promise<string>;
  /** The store of proposed contents (the diff's right side). */
  proposed: ProposedContent;
  /** Writes a line to the log. */
  log: (line: string) => void;
}

function answerOf(choice: string | undefined): ApprovalAnswer | undefined {
  if (choice === BUTTONS.accept || choice === BUTTONS.run) return "accept";
  if (choice === BUTTONS.reject) return "reject";
  if (choice === BUTTONS.all) return "accept-all";
  return undefined;
}

/**
 * Shows approval questions the VS Code way: a file change opens the diff editor (left:
 * the file as it is now, unsaved edits included; right: the proposal in a read-only
 * `gemma-coder-proposed` document) and a notification with Accept / Reject / Accept all
 * this session; a shell command shows the exact command with Run / Reject / Accept all
 * this session. The answer goes to the queue; the diff closes once it is answered.
 */
export class ApprovalUi {
  private readonly options: ApprovalUiOptions;
  private queue: ApprovalQueue | undefined;

  /**
   * @param options - The workspace, reader, proposal store and log.
   */
  constructor(options: ApprovalUiOptions) {
    this.options = options;
  }

  /** Connects the queue the buttons answer. */
  attach(queue: ApprovalQueue): void {
    this.queue = queue;
  }

  /** Shows one question (called by the queue). */
  show(pending: PendingApproval): void {
    void this.present(pending).catch((error: unknown) => {
      this.options.log(
        `approval view failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }

  /** Closes what a question opened (called by the queue once it is answered). */
  hide(pending: PendingApproval): void {
    void closeDiffTabs(pending.id).finally(() => this.options.proposed.forget(pending.id));
  }

  private async present(pending: PendingApproval): Promise<void> {
    const { request } = pending;
    const input = (request.input ?? {}) as Record<string, unknown>;
    if (request.tool === "run_shell") {
      const command = typeof input.command === "string" ? input.command : "";
      this.options.log(`approval ${pending.id}: run_shell ${command}`);
      return this.ask(pending, `gemma-coder wants to run: ${command}`, [
        BUTTONS.run,
        BUTTONS.reject,
        BUTTONS.all,
      ]);
    }
    const proposal = await proposeChange(this.options.workspace, request, this.options.read).catch(
      () => undefined,
    );
    const target =
      proposal?.relativePath ?? (typeof input.path === "string" ? input.path : request.tool);
    this.options.log(`approval ${pending.id}: ${request.tool} ${target}`);
    if (proposal) await this.openDiff(pending.id, proposal);
    return this.ask(pending, `gemma-coder wants to change ${target}`, [
      BUTTONS.accept,
      BUTTONS.reject,
      BUTTONS.all,
    ]);
  }

  private async openDiff(id: number, proposal: Proposal): Promise<void> {
    const { proposed } = this.options;
    const right = proposed.put(proposal.relativePath, id, "after", proposal.after);
    const left =
      proposal.before === undefined
        ? proposed.put(proposal.relativePath, id, "before", "")
        : vscode.Uri.file(proposal.absolutePath);
    const title = `gemma-coder: ${proposal.relativePath} (proposed)`;
    await vscode.commands.executeCommand("vscode.diff", left, right, title, { preview: false });
  }

  private async ask(pending: PendingApproval, text: string, buttons: string[]): Promise<void> {
    const choice = await vscode.window.showInformationMessage(text, ...buttons);
    const answer = answerOf(choice);
    // Closing the notification is not an answer: the diff's buttons and the commands still are.
    if (answer) this.queue?.answer(answer, pending.id);
  }
}

/** Closes the diff tabs of one approval. */
async function closeDiffTabs(id: number): Promise<void> {
  const tabs = vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => {
      const input = tab.input;
      return (
        input instanceof vscode.TabInputTextDiff &&
        input.modified.scheme === PROPOSED_SCHEME &&
        input.modified.query.includes(`approval=${id}&`)
      );
    });
  if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
}
