import type { Sessions } from "@gemma-coder/sessions";
import type { HostMessage, SessionItem, ViewMessage } from "./protocol.js";
import type { RunController, RunOutcome, RunStart } from "./run-controller.js";
import { sessionItems } from "./session-items.js";

/** What the chat's actions need; the extension gives the real ones, tests fakes. */
export interface ChatActionsOptions {
  /** The workspace folder; empty when no folder is open. */
  workspace: string;
  /** Runs the agent. */
  run: Pick<RunController, "run" | "stop" | "setState" | "state" | "lastRun">;
  /** The workspace's sessions, when they can be opened. */
  sessions: () => Promise<Pick<Sessions, "store"> | undefined>;
  /** Sends a message to the chat view. */
  post: (message: HostMessage) => void;
  /** Opens a workspace file at a line. */
  openFile: (relativePath: string, line: number | undefined) => Promise<void>;
}

/**
 * What the chat view's buttons and the commands do: run a task or resume a session (then
 * refresh the history list), stop, open a file, and keep the latest session id for the
 * test API.
 */
export class ChatActions {
  private readonly options: ChatActionsOptions;
  private listed: SessionItem[] = [];
  private latest: string | undefined;

  /**
   * @param options - The controller, the sessions and the view.
   */
  constructor(options: ChatActionsOptions) {
    this.options = options;
  }

  /** The id of the workspace's latest session, if any. */
  get latestSession(): string | undefined {
    return this.latest;
  }

  /** Sends the history list to the view. */
  async refreshSessions(): Promise<void> {
    const store = (await this.options.sessions())?.store;
    const items = store ? sessionItems(await store.list().catch(() => [])) : [];
    this.latest = items[0]?.id ?? this.latest;
    this.listed = items;
    this.options.post({ type: "sessions", items });
  }

  /**
   * Runs a task or resumes a session, then refreshes the history.
   *
   * @param start - What to run.
   * @returns How it ended.
   */
  async runAndRefresh(start: RunStart): Promise<RunOutcome> {
    if (this.options.workspace === "") {
      const message = "gemma-coder needs a folder: open one first (File > Open Folder).";
      this.options.post({ type: "error", message, fix: undefined });
      return { status: "error", changedFiles: [], error: message };
    }
    const outcome = await this.options.run.run(start);
    this.latest = this.options.run.lastRun?.sessionId ?? this.latest;
    await this.refreshSessions();
    return outcome;
  }

  /**
   * Handles a checked message from the chat view.
   *
   * @param message - The message.
   */
  async handle(message: ViewMessage): Promise<void> {
    const { run } = this.options;
    switch (message.type) {
      case "ready":
        run.setState(run.state);
        return this.refreshSessions();
      case "send":
        await this.runAndRefresh({ kind: "task", task: message.task });
        return;
      case "stop":
        return run.stop();
      case "resume":
        return this.resume(message.sessionId, message.message);
      case "open-file":
        return this.options.openFile(message.path, message.line);
    }
  }

  /** A finished session needs a follow-up; say so rather than fail in the agent. */
  private async resume(sessionId: string, follow: string | undefined): Promise<void> {
    const finished = this.listed.find((item) => item.id === sessionId)?.status === "done";
    if (finished && follow === undefined) {
      const fix = "Type a follow-up in the task box, then click the session again to continue it.";
      this.options.post({ type: "error", message: `Session ${sessionId} already finished.`, fix });
      return;
    }
    await this.runAndRefresh({ kind: "resume", sessionId, message: follow });
  }
}
