import type { ContextChange } from "../context/context-manager.js";
import type { ToolResult } from "../protocol/tool-result.js";
import type {
  ChatMessage,
  FinishReason,
  NativeToolCall,
  NoticePart,
  Usage,
} from "../provider/provider.js";
import type { RecordInput } from "../session/session-recorder.js";
import { SessionRecorder } from "../session/session-recorder.js";
import type { SessionStore } from "../session/session-store.js";
import { errorMessage } from "./error-message.js";
import type { AgentEventMap, AgentEventName } from "./events.js";

/** Emits one agent event (the Agent's `emit` plus its `onEvent` listeners). */
export type EmitEvent = <K extends AgentEventName>(type: K, payload: AgentEventMap[K]) => void;

/**
 * The one place a run reports what happens: each method emits the event and writes the
 * matching transcript record (when the agent has a session store), in the order a reader
 * of either relies on, so an event and its record are never written by hand apart.
 */
export class RunJournal {
  /**
   * @param runId - The run.
   * @param emit - Emits an agent event.
   * @param recorder - The run's transcript, or `undefined` without a session store.
   */
  constructor(
    readonly runId: string,
    readonly emit: EmitEvent,
    private readonly recorder: SessionRecorder | undefined,
  ) {}

  /** The session the run writes to, when it has one. */
  get sessionId(): string | undefined {
    return this.recorder?.sessionId;
  }

  /** Writes a transcript record that has no event of its own (run start and end, replies). */
  async record(record: RecordInput): Promise<void> {
    await this.recorder?.write(record);
  }

  /** Records a request as its hash plus the messages new since the last one. */
  async request(step: number, messages: readonly ChatMessage[]): Promise<void> {
    await this.recorder?.request(this.runId, step, messages);
  }

  /** Something the user should know that does not stop the run: a `warning` and a notice record. */
  async warning(kind: string, message: string, step?: number): Promise<void> {
    const { runId } = this;
    this.emit("warning", { runId, kind, message });
    await this.record({
      type: "notice",
      runId,
      ...(step === undefined ? {} : { step }),
      kind,
      message,
    });
  }

  /** A provider's notice (retry, fallback model): a `notice` event and record. */
  async notice(step: number, part: NoticePart): Promise<void> {
    const { runId } = this;
    const { kind, message } = part;
    this.emit("notice", {
      runId,
      step,
      kind,
      message,
      ...(part.data === undefined ? {} : { data: part.data }),
    });
    await this.record({ type: "notice", runId, step, kind, message });
  }

  /** The history was elided or compacted to fit the window. */
  async contextChange(step: number, change: ContextChange): Promise<void> {
    const { runId } = this;
    const { kind, messages, tokensBefore, tokensAfter } = change;
    this.emit(kind === "elide" ? "context-elided" : "context-compacted", {
      runId,
      step,
      messages,
      tokensBefore,
      tokensAfter,
      tokensSaved: tokensBefore - tokensAfter,
    });
    await this.record({ type: "context", runId, step, kind, messages, tokensBefore, tokensAfter });
  }

  /** A turn's reply as the agent used it; `error` when its stream broke. */
  async reply(
    step: number,
    text: string,
    finishReason: FinishReason,
    usage: Usage | undefined,
    error?: string,
  ): Promise<void> {
    await this.record({
      type: "reply",
      runId: this.runId,
      step,
      purpose: "turn",
      text,
      finishReason,
      ...(usage === undefined ? {} : { usage }),
      ...(error === undefined ? {} : { error }),
    });
  }

  /** A reply without a usable call; `consecutive` counts them in a row. */
  async invalidReply(step: number, feedback: string, consecutive: number): Promise<void> {
    const { runId } = this;
    await this.record({ type: "invalid-reply", runId, step, feedback, consecutive });
    this.emit("invalid-reply", { runId, step, feedback, consecutive });
  }

  /** A validated call, written before the tool runs: a transcript cut short here shows a call in flight. */
  async toolCall(
    step: number,
    name: string,
    args: Record<string, unknown>,
    asksApproval = false,
    native?: NativeToolCall,
  ): Promise<void> {
    const { runId } = this;
    // A call that waits for approval says so: if the answer is never recorded, it never ran.
    const approval = asksApproval ? { approval: "pending" as const } : {};
    const asNative = native === undefined ? {} : { native };
    await this.record({ type: "tool-call", runId, step, name, args, ...approval, ...asNative });
    this.emit("tool-call", { runId, step, name, args });
  }

  /** The answer to a call's approval question, recorded before the call runs. */
  async approval(step: number, name: string, approved: boolean): Promise<void> {
    await this.record({ type: "approval", runId: this.runId, step, name, approved });
  }

  /** What a tool returned (or why it did not run). */
  async toolResult(
    step: number,
    name: string,
    result: ToolResult,
    durationMs: number,
  ): Promise<void> {
    const { runId } = this;
    await this.record({ type: "tool-result", runId, step, name, result, durationMs });
    this.emit("tool-result", { runId, step, name, result, durationMs });
  }
}

/**
 * Opens the run's journal: on a new session, on the resumed one, or without a transcript
 * when the agent has no session store or the store cannot create one. Never throws: a
 * transcript that cannot be written is a warning, and the run goes on without it.
 *
 * @param options - The run, the emitter, the store and what a resume continues.
 * @returns The journal.
 */
export async function openJournal(options: {
  runId: string;
  emit: EmitEvent;
  store: SessionStore | undefined;
  workspace: string | undefined;
  startedAt: number;
  now: () => number;
  resume: { sessionId: string; requestHistory: readonly ChatMessage[] } | undefined;
}): Promise<RunJournal> {
  const { runId, emit, store, workspace, resume } = options;
  if (!store) return new RunJournal(runId, emit, undefined);
  const onError = (error: unknown) =>
    emit("warning", {
      runId,
      kind: "session",
      message: `The session transcript could not be written (${errorMessage(error)}); the run goes on without it.`,
    });
  try {
    const sessionId =
      resume?.sessionId ??
      (await store.create({
        time: options.startedAt,
        ...(workspace === undefined ? {} : { workspace }),
      }));
    const recorder = new SessionRecorder(
      store,
      sessionId,
      options.now,
      onError,
      resume?.requestHistory ?? [],
    );
    return new RunJournal(runId, emit, recorder);
  } catch (error) {
    onError(error);
    return new RunJournal(runId, emit, undefined);
  }
}
