import { Agent, type AgentEvent, type RunResult } from "@gemma-coder/core";
import type { Sessions } from "@gemma-coder/sessions";
import { createTools } from "@gemma-coder/tools";
import type { ApprovalQueue } from "./approvals.js";
import { EventMessages } from "./event-messages.js";
import type { OpenedBackend } from "./open-provider.js";
import type { HostMessage, RunState } from "./protocol.js";
import { describeFailure } from "./run-failure.js";
import type { ExtensionSettings } from "./settings.js";
import { createWorkspaceFs, type EditorDocuments, type RecordedWrite } from "./workspace-fs.js";
import { workspaceRelative } from "./workspace-relative.js";

/** How a run ended, as the test API's `runTask` resolves. */
export interface RunOutcome {
  /** The state the run ended in: `done`, `stopped` or `error`. */
  status: RunState;
  /** The model's summary, when it called `done`. */
  summary?: string;
  /** The files the run wrote, relative to the workspace. */
  changedFiles: string[];
  /** What went wrong, for `error`. */
  error?: string;
}

/** A run to start: a new task, or a session continued. */
export type RunStart =
  | { kind: "task"; task: string }
  | { kind: "resume"; sessionId: string; message: string | undefined };

/** The last run's id and what it wrote, for undo through the editor. */
export interface LastRun {
  runId: string;
  /** The session the run wrote to, when sessions are open. */
  sessionId: string | undefined;
  writes: Map<string, RecordedWrite>;
}

/** What the controller needs from the extension; tests give fakes. */
export interface RunControllerOptions {
  /** The workspace folder the tools are confined to. */
  workspace: string;
  /** Reads the settings at the start of each run. */
  settings: () => ExtensionSettings;
  /** Why the run may only read (untrusted workspace, setting), or `undefined`. */
  readOnlyReason: () => string | undefined;
  /** Chooses, checks and builds the model backend. */
  openBackend: (settings: ExtensionSettings) => Promise<OpenedBackend>;
  /** The editor's documents, for the tools' reads and writes. */
  documents: EditorDocuments;
  /** The workspace's transcripts and checkpoints, when they can be opened. */
  sessions: () => Promise<Sessions | undefined>;
  /** The approval flow. */
  approvals: ApprovalQueue;
  /** Sends a message to the chat view. */
  post: (message: HostMessage) => void;
  /** Writes a line to the log. */
  log: (line: string) => void;
}

/**
 * Runs the agent for the chat view, one run at a time: builds the backend, the tools
 * (through the editor's documents, read-only when the workspace is not trusted) and the
 * agent, streams its events to the view, and reports the end. `stop()` aborts the run's
 * signal at once.
 */
export class RunController {
  private readonly options: RunControllerOptions;
  private readonly listeners = new Set<(state: RunState) => void>();
  private current: AbortController | undefined;
  private stateValue: RunState = "idle";
  private backendLabel = "";
  private last: LastRun | undefined;

  /**
   * @param options - What the controller needs from the extension.
   */
  constructor(options: RunControllerOptions) {
    this.options = options;
  }

  /** The current state. */
  get state(): RunState {
    return this.stateValue;
  }

  /** The backend of the latest run, for the status item. */
  get backend(): string {
    return this.backendLabel;
  }

  /** The last run of this window, if any. */
  get lastRun(): LastRun | undefined {
    return this.last;
  }

  /** Whether a run is in progress. */
  get running(): boolean {
    return this.current !== undefined;
  }

  /**
   * Listens to state changes and agent events (the listener gets the state each time).
   *
   * @param listener - Called with the current state.
   * @returns A function that stops listening.
   */
  onDidChange(listener: (state: RunState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sets the state (also used by the approval flow) and tells the view and listeners. */
  setState(state: RunState): void {
    this.stateValue = state;
    this.options.post({
      type: "state",
      state,
      backend: this.backendLabel,
      readOnly: this.options.readOnlyReason(),
    });
    this.notify();
  }

  /** Aborts the run in progress, whatever it is doing (waiting for the model, a command, an answer). */
  stop(): void {
    this.current?.abort(new Error("stopped from VS Code"));
    this.options.approvals.cancel();
  }

  /**
   * Runs a task or continues a session, and resolves when the run ends.
   *
   * @param start - What to run.
   * @returns How it ended.
   */
  async run(start: RunStart): Promise<RunOutcome> {
    if (this.current) {
      return {
        status: "error",
        changedFiles: [],
        error: "A run is already in progress; stop it first.",
      };
    }
    const abort = new AbortController();
    this.current = abort;
    const writes = new Map<string, RecordedWrite>();
    if (start.kind === "task") this.options.approvals.resetSession();
    this.options.post({
      type: "run-start",
      task:
        start.kind === "task"
          ? start.task
          : `Resuming session ${start.sessionId}${start.message ? `: ${start.message}` : ""}`,
    });
    this.setState("running");
    try {
      const result = await this.execute(start, abort.signal, writes);
      this.last = { runId: result.runId, sessionId: result.sessionId, writes };
      return this.finish(result, writes);
    } catch (error) {
      return this.fail(abort.signal.aborted ? "stopped" : "error", error, writes);
    } finally {
      this.current = undefined;
      this.options.approvals.cancel();
    }
  }

  private notify(): void {
    for (const listener of this.listeners) listener(this.stateValue);
  }

  /** The approval flow asked or was answered: the state follows. */
  approvalChanged(waiting: boolean): void {
    if (!this.current) return;
    this.setState(waiting ? "waiting-approval" : "running");
  }

  private async execute(
    start: RunStart,
    signal: AbortSignal,
    writes: Map<string, RecordedWrite>,
  ): Promise<RunResult> {
    const settings = this.options.settings();
    const backend = await this.options.openBackend(settings);
    this.backendLabel = backend.label;
    signal.throwIfAborted();
    this.setState("running");
    const readOnly = this.options.readOnlyReason();
    if (readOnly) this.options.post({ type: "note", text: readOnly });
    const view = new EventMessages();
    const agent = await this.buildAgent({
      settings,
      backend,
      readOnly: readOnly !== undefined,
      writes,
      view,
    });
    const unsubscribe = agent.onEvent((event: AgentEvent) => {
      for (const message of view.messagesOf(event)) this.options.post(message);
      const line = logLine(event);
      if (line !== "") this.options.log(line);
      this.notify();
    });
    try {
      return start.kind === "task"
        ? await agent.run(start.task, { signal })
        : await agent.resume(start.sessionId, { message: start.message, signal });
    } finally {
      unsubscribe();
      await backend.provider.dispose?.();
    }
  }

  private async buildAgent(run: {
    settings: ExtensionSettings;
    backend: OpenedBackend;
    readOnly: boolean;
    writes: Map<string, RecordedWrite>;
    view: EventMessages;
  }): Promise<Agent> {
    const { settings, backend, writes, view } = run;
    const { workspace } = this.options;
    const fs = createWorkspaceFs(this.options.documents, (write) => {
      const earlier = writes.get(write.path);
      writes.set(write.path, { ...write, before: earlier ? earlier.before : write.before });
    });
    const tools = createTools({ root: workspace, readOnly: run.readOnly, fs });
    const sessions = await this.options.sessions();
    const queue = this.options.approvals;
    return new Agent({
      provider: backend.provider,
      tools,
      workspace,
      maxSteps: settings.maxSteps,
      constrainedDecoding: constrainedMode(settings.constrainedDecoding, backend.provider.id),
      ...(settings.contextWindow === undefined ? {} : { contextWindow: settings.contextWindow }),
      ...(sessions ? { session: sessions.store, checkpointer: sessions.checkpointer } : {}),
      approve: async (request) => {
        const decision = await queue.approve(request);
        if (!(typeof decision === "boolean" ? decision : decision.allow)) view.markDenied();
        return decision;
      },
    });
  }

  private finish(result: RunResult, writes: Map<string, RecordedWrite>): RunOutcome {
    const changedFiles = [...writes.keys()].map((file) =>
      workspaceRelative(this.options.workspace, file),
    );
    this.options.log(
      `run ${result.runId} ended: ${result.status} (${result.stopReason}) ${result.message}`,
    );
    if (result.status === "done") {
      const summary = result.summary ?? result.message;
      this.options.post({ type: "summary", text: summary, changedFiles });
      this.setState("done");
      return { status: "done", summary, changedFiles };
    }
    if (result.status === "aborted") {
      this.options.post({ type: "note", text: "Stopped." });
      this.setState("stopped");
      return { status: "stopped", changedFiles };
    }
    return this.fail("error", result.error ?? new Error(result.message), writes);
  }

  private fail(
    status: "stopped" | "error",
    error: unknown,
    writes: Map<string, RecordedWrite>,
  ): RunOutcome {
    const changedFiles = [...writes.keys()].map((file) =>
      workspaceRelative(this.options.workspace, file),
    );
    if (status === "stopped") {
      this.options.post({ type: "note", text: "Stopped." });
      this.setState("stopped");
      return { status, changedFiles };
    }
    const problem = describeFailure(error);
    this.options.log(`error: ${problem.message}${problem.fix ? ` ${problem.fix}` : ""}`);
    this.options.post({ type: "error", message: problem.message, fix: problem.fix });
    this.setState("error");
    return {
      status,
      changedFiles,
      error: problem.fix ? `${problem.message} ${problem.fix}` : problem.message,
    };
  }
}

/**
 * The agent's constrained-decoding mode for a setting: `auto` is on for llama-server
 * (which enforces a grammar) and off elsewhere, as in the CLI.
 */
export function constrainedMode(
  setting: "auto" | "on" | "off",
  providerId: string,
): "auto" | "off" {
  if (setting === "on") return "auto";
  if (setting === "off") return "off";
  return providerId === "llama-cpp" ? "auto" : "off";
}

/** One line of the log for an event: its type and what it carries, without the prose deltas. */
function logLine(event: AgentEvent): string {
  if (event.type === "text-delta") return "";
  const { type, ...rest } = event;
  const body =
    type === "done" ? { status: event.result.status, stopReason: event.result.stopReason } : rest;
  const text = JSON.stringify(body);
  return `${type} ${text.length > 500 ? `${text.slice(0, 499)}…` : text}`;
}
