import { EventEmitter } from "eventemitter3";
import {
  type ConstrainedDecodingMode,
  planToolCallConstraint,
  type ToolCallConstraintPlan,
} from "../constrained/plan-tool-call-constraint.js";
import type { ToolCallGrammarOptions } from "../constrained/tool-call-grammar.js";
import { ContextManager } from "../context/context-manager.js";
import { abortError, GemmaCoderError, untilAborted } from "../errors/gemma-coder-error.js";
import { parseReply } from "../protocol/parse-reply.js";
import { createReplyStream } from "../protocol/reply-stream.js";
import { createSpiralDetector, SPIRAL_NUDGE } from "../protocol/spiral-detector.js";
import { CALL_TAGS } from "../protocol/tags.js";
import {
  DEFAULT_MAX_RESULT_CHARS,
  formatToolResult,
  type ToolResult,
} from "../protocol/tool-result.js";
import type {
  ChatMessage,
  FinishReason,
  ModelProvider,
  ReplyTokens,
  Usage,
} from "../provider/provider.js";
import { DEFAULT_RULES } from "../rules/default-rules.js";
import { loadRulebook, type RulebookHost } from "../rules/load-rulebook.js";
import { assistantContent } from "../session/assistant-message.js";
import type { Checkpointer, FileChange, UndoOptions, UndoResult } from "../session/checkpointer.js";
import { hashMessages } from "../session/hash-messages.js";
import { rebuildSession, type SessionSnapshot } from "../session/rebuild-session.js";
import { SessionRecorder } from "../session/session-recorder.js";
import type { SessionStore } from "../session/session-store.js";
import { assertZodSchema } from "../tools/assert-zod-schema.js";
import { type AnyTool, assertToolName } from "../tools/define-tool.js";
import { describeTool } from "../tools/describe-tool.js";
import { DONE_TOOL_NAME, doneTool } from "../tools/done-tool.js";
import { type ApprovalHandler, askApproval } from "./approve-call.js";
import type {
  AgentEvent,
  AgentEventMap,
  AgentEventName,
  AgentListeners,
  AgentState,
  RunResult,
  RunUsage,
  StopReason,
} from "./events.js";
import { formatLimit } from "./format-limit.js";
import { OVERSIZE_HISTORY_CHARS, oversizeFeedback, ReplyMeter, replyCap } from "./reply-cap.js";
import { replyMessage } from "./reply-message.js";
import { type RepoMapSource, repoMapBudget, taskWithRepoMap } from "./repo-map-prompt.js";
import { buildSystemPrompt } from "./system-prompt.js";
import { restartBrokenTurn, TurnRetry, type TurnRetryOptions, turnGaveUp } from "./turn-retry.js";
import { formatValidationError } from "./validation-feedback.js";

/** Options of the {@link Agent} constructor. */
export interface AgentOptions {
  /** The model backend. */
  provider: ModelProvider;
  /** Tools on offer besides the built-in `done`. */
  tools?: readonly AnyTool[];
  /**
   * The rulebook: a text, `false` for none, or `undefined` to use the project's
   * (found from `workspace`, see `loadRulebook`) or else the default rulebook.
   */
  rules?: string | false | undefined;
  /** The workspace root; used to find the project's rulebook. */
  workspace?: string | undefined;
  /** File access for the rulebook search, for runtimes other than Node. */
  rulebookHost?: RulebookHost | undefined;
  /** Extra instructions for the system prompt. */
  instructions?: string | undefined;
  /** Most model turns in one run. Default 40. */
  maxSteps?: number;
  /** Consecutive replies without a usable call before the run fails. Default 3. */
  maxInvalidReplies?: number;
  /** Identical calls (with no change in between) before a warning. Default 3. */
  repeatWarnAt?: number;
  /** Identical calls (with no change in between) before the run fails. Default 5. */
  repeatStopAt?: number;
  /** Wall-clock limit for a run in milliseconds. Default: none. */
  timeoutMs?: number | undefined;
  /** Cap on one reply's tokens. Default 2048. */
  maxOutputTokens?: number;
  /**
   * Cap on one reply's characters, enforced by the agent whatever the backend does with
   * `maxOutputTokens`. A longer reply is cut: the request is closed, the transcript keeps
   * only the part within the cap, and the reply counts as invalid (the model is told,
   * and `maxInvalidReplies` in a row stop the run). The stream is also cut after about
   * twice `maxOutputTokens` text pieces. Default: 8 characters per output token, at
   * least 16,000.
   */
  maxReplyChars?: number | undefined;
  /** Sampling temperature passed to the provider. */
  temperature?: number | undefined;
  /**
   * Cap on a tool result's characters before head+tail truncation. Default: 8,000, or
   * less when the context window is small (a quarter of the prompt budget).
   */
  maxResultChars?: number;
  /**
   * The model's context window in tokens. Default: what the provider reports
   * (`contextWindow()`), else 8,192.
   */
  contextWindow?: number | undefined;
  /**
   * A repository map (`RepoMap` from `@gemma-coder/repomap`): at the start of a new run
   * the map for the task goes before the task in the first user message, never in the
   * system prompt, so the cached prompt prefix stays stable. Default: none.
   */
  repoMap?: RepoMapSource | undefined;
  /** The map's budget in tokens. Default: an eighth of the context window (1,024 at 8k). */
  repoMapTokens?: number | undefined;
  /** Latest messages never elided or summarised when the context runs short. Default 4. */
  keepRecentMessages?: number;
  /**
   * Constrained decoding: `"auto"` (or `true`) sends a grammar generated from the tools
   * when the provider enforces grammars, else a JSON schema (with the JSON-only protocol)
   * when it enforces schemas; `"grammar"`/`"json-schema"` ask for one of them. When the
   * provider cannot enforce what was asked, the run uses the plain protocol and emits a
   * `warning` event (kind `constrained-decoding`). Default `"off"`.
   */
  constrainedDecoding?: ConstrainedDecodingMode | boolean | undefined;
  /** Caps for the generated grammar (preamble, string and array lengths). */
  constrainedDecodingOptions?: ToolCallGrammarOptions | undefined;
  /** A clock, for tests. */
  now?: () => number;
  /**
   * Asking a turn again when its stream breaks after the reply started (a reset, an
   * error line, a garbled line, an idle timeout): bounded retries with backoff. The
   * partial text is withdrawn with a `turn-restart` event. Default: 2 retries.
   */
  turnRetry?: TurnRetryOptions | undefined;
  /**
   * Where every run writes its transcript (run start, each request as a hash plus the
   * new messages, replies, tool calls and results, usage, context changes, run end).
   * Needed by {@link Agent.resume}. `@gemma-coder/sessions` has a JSONL file store;
   * `createMemorySessionStore()` keeps transcripts in memory. Default: none.
   */
  session?: SessionStore | undefined;
  /**
   * Snapshots the files a tool may change, before every tool that is not `readOnly`,
   * so {@link Agent.undo} can restore them. `@gemma-coder/sessions` has one (git
   * plumbing in a repository, plain copies elsewhere). Default: none.
   */
  checkpointer?: Checkpointer | undefined;
  /**
   * Asked before every tool that is not `readOnly` (`write_file`, `edit_file`,
   * `run_shell`, your own). Nothing with side effects happens before the answer: the
   * agent asks first, then checkpoints, then runs the tool. A denial (or a hook that
   * throws) becomes a tool error the model reads, and the tool does not run. Prefer
   * this over `createTools({ approve })` when you use an Agent: a tool-level hook is
   * only reached after the checkpoint. Default: no hook (every call runs).
   */
  approve?: ApprovalHandler | undefined;
}

/** Options of one run. */
export interface RunOptions {
  /** Cancels the run in any state; the result then has status `aborted`. */
  signal?: AbortSignal | undefined;
}

/** Options of {@link Agent.resume}. */
export interface ResumeOptions extends RunOptions {
  /**
   * A follow-up instruction added to the conversation. Required when the session
   * already ended with `done`; optional for a stopped or interrupted one.
   */
  message?: string | undefined;
}

/** What a resumed run starts from. */
interface ResumeState {
  sessionId: string;
  snapshot: SessionSnapshot;
  warnings: readonly string[];
  message: string | undefined;
}

type Listener = (event: AgentEvent) => void;

const TERMINAL: ReadonlySet<AgentState> = new Set(["done", "failed", "aborted"]);
const TRANSITIONS: Readonly<Record<AgentState, readonly AgentState[]>> = {
  idle: ["awaiting-model", "failed", "aborted"],
  "awaiting-model": ["awaiting-model", "executing-tool", "failed", "aborted"],
  "executing-tool": ["awaiting-model", "done", "failed", "aborted"],
  done: ["idle"],
  failed: ["idle"],
  aborted: ["idle"],
};

const NUDGE =
  'Your reply had no tool call. Reply with exactly one call in this form:\n<tool>\n{"name": "TOOL_NAME", "args": {...}}\n</tool>\nIf the task is complete, call done.';

const CLOSE_TAGS = CALL_TAGS.map(([, close]) => close);

/** Whether the text after a completed call is (so far) just whitespace and a close tag. */
function onlyCloseTagFollows(text: string, completeAt: number): boolean {
  const rest = text.slice(completeAt);
  if (rest.length > 32) return false;
  const trimmed = rest.trim();
  return CLOSE_TAGS.some((tag) => tag.startsWith(trimmed));
}

const DEFAULT_CONTEXT_WINDOW = 8192;
/** Characters per token assumed when sizing tool results from a token budget (conservative for code). */
const CHARS_PER_TOKEN = 3;

/**
 * Makes one plain call (no stop sequence) and returns its text: used for summaries. The
 * text is capped like a turn's reply; past the cap the request is closed.
 */
async function collectText(
  provider: ModelProvider,
  messages: readonly ChatMessage[],
  signal: AbortSignal,
  maxChars: number,
): Promise<string> {
  let text = "";
  for await (const part of provider.streamChat({ messages, maxTokens: 400, signal })) {
    if (part.type !== "text-delta") continue;
    text += part.text.slice(0, maxChars - text.length);
    if (text.length >= maxChars) break;
  }
  return text;
}

/** Stable JSON (sorted keys) so `{a,b}` and `{b,a}` count as the same call. */
function stableKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableKey).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableKey(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function toError(error: unknown, provider: string): GemmaCoderError {
  if (GemmaCoderError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new GemmaCoderError(`The model provider failed: ${message}`, {
    code: "provider-stream",
    provider,
    cause: error,
  });
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** Thrown inside a run to unwind to its end; never escapes `run()`. */
class StopRun {
  constructor(
    readonly stopReason: StopReason,
    readonly message: string,
    readonly error?: GemmaCoderError,
  ) {}
}

/**
 * A coding agent: one model, a tool set and a rulebook, driven by an explicit state
 * machine (`idle` → `awaiting-model` ⇄ `executing-tool` → `done` | `failed` | `aborted`).
 * Each turn makes one model call and runs at most one tool call. Model misbehaviour
 * never throws: it is fed back to the model and, past the limits, ends the run
 * with a clear `stopReason`.
 *
 * @example
 * ```ts
 * const agent = new Agent({ provider, tools: createTools({ root: process.cwd() }) });
 * agent.on("tool-call", (e) => console.log(e.name, e.args));
 * const result = await agent.run("Fix the failing test in tests/test_api.py");
 * console.log(result.status, result.summary);
 * ```
 */
export class Agent extends EventEmitter<AgentListeners> {
  private readonly options: AgentOptions;
  private readonly toolMap = new Map<string, AnyTool>([[DONE_TOOL_NAME, doneTool]]);
  private readonly streamListeners = new Set<Listener>();
  private currentState: AgentState = "idle";
  private running = false;
  private rulesPromise: Promise<string | undefined> | undefined;

  /**
   * Creates an agent.
   *
   * @param options - Provider, tools, rules and limits.
   * @throws GemmaCoderError `duplicate-tool` when two tools share a name, `invalid-argument` for bad limits.
   */
  constructor(options: AgentOptions) {
    super();
    if (!options || typeof options.provider?.streamChat !== "function") {
      throw new GemmaCoderError("Agent needs a provider with a streamChat method.", {
        code: "invalid-argument",
      });
    }
    for (const key of [
      "maxSteps",
      "maxInvalidReplies",
      "repeatWarnAt",
      "repeatStopAt",
      "maxReplyChars",
    ] as const) {
      const value = options[key];
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
        throw new GemmaCoderError(`${key} must be a positive integer, got ${value}.`, {
          code: "invalid-argument",
        });
      }
    }
    this.options = options;
    for (const tool of options.tools ?? []) this.addTool(tool);
  }

  /** The state of the current (or last) run. */
  get state(): AgentState {
    return this.currentState;
  }

  /** The tools on offer, `done` included. */
  get tools(): readonly AnyTool[] {
    return [...this.toolMap.values()];
  }

  /**
   * Adds a tool.
   *
   * @param tool - The tool; its name must be unique.
   * @returns The agent, for chaining.
   * @throws GemmaCoderError `duplicate-tool` when the name is taken, `busy` during a run.
   */
  addTool(tool: AnyTool): this {
    assertToolName(tool.name);
    assertZodSchema(tool.name, tool.inputSchema);
    if (this.toolMap.has(tool.name)) {
      throw new GemmaCoderError(
        tool.name === DONE_TOOL_NAME
          ? `"${DONE_TOOL_NAME}" is built in and cannot be replaced.`
          : `A tool named "${tool.name}" is already registered.`,
        { code: "duplicate-tool" },
      );
    }
    if (this.running) {
      throw new GemmaCoderError("Tools cannot be added while a run is in progress.", {
        code: "busy",
      });
    }
    this.toolMap.set(tool.name, tool);
    return this;
  }

  /**
   * The system prompt a run will use (tools + rules), e.g. to measure its size.
   *
   * @returns The prompt text.
   */
  async systemPrompt(): Promise<string> {
    return buildSystemPrompt({
      tools: this.tools,
      rules: await this.rules(),
      instructions: this.options.instructions,
      protocol: this.constraintPlan().protocol,
    });
  }

  /** How this agent's calls are constrained with its provider; the same for every run. */
  private constraintPlan(): ToolCallConstraintPlan {
    return planToolCallConstraint({
      tools: this.tools,
      capabilities: this.options.provider.capabilities,
      mode: this.options.constrainedDecoding ?? "off",
      providerId: this.options.provider.id,
      grammar: this.options.constrainedDecodingOptions,
      maxOutputTokens: this.options.maxOutputTokens ?? 2048,
    });
  }

  /**
   * Runs a task to the end and resolves with the result. It rejects only for
   * programming errors (a second run while one is in progress); model and provider
   * failures resolve with `status: "failed"`.
   *
   * @param task - What to do, in plain words.
   * @param options - An optional abort signal.
   * @returns The run's result.
   */
  async run(task: string, options: RunOptions = {}): Promise<RunResult> {
    if (this.running) {
      throw new GemmaCoderError("This agent is already running a task.", { code: "busy" });
    }
    if (typeof task !== "string" || task.trim() === "") {
      throw new GemmaCoderError("The task must be a non-empty string.", {
        code: "invalid-argument",
      });
    }
    this.running = true;
    try {
      return await this.execute(task, options, undefined);
    } finally {
      this.running = false;
    }
  }

  /**
   * Continues a session from its transcript: the conversation is rebuilt from the
   * session store (the system prompt from the agent's current tools and rules), and the
   * run goes on where the session stopped, with step numbers continuing from its last
   * step (`maxSteps` counts the new steps). A call that was running when the session
   * stopped is reported to the model as interrupted. The resumed run gets a new run id
   * and appends to the same transcript.
   *
   * Like {@link Agent.run}, it resolves with the result; it rejects when there is no
   * session store, the session cannot be read (unknown id, newer format, damaged
   * history) or it already ended with `done` and no follow-up `message` was given.
   *
   * @param sessionId - The session to continue (as in `RunResult.sessionId`).
   * @param options - A follow-up message and an abort signal.
   * @returns The resumed run's result.
   * @throws GemmaCoderError `invalid-argument` for the cases above, `unsupported` for a
   *   transcript written by a newer version, `busy` during a run.
   */
  async resume(sessionId: string, options: ResumeOptions = {}): Promise<RunResult> {
    if (this.running) {
      throw new GemmaCoderError("This agent is already running a task.", { code: "busy" });
    }
    const store = this.options.session;
    if (!store) {
      throw new GemmaCoderError("resume needs a session store: pass `session` to the Agent.", {
        code: "invalid-argument",
      });
    }
    if (typeof sessionId !== "string" || sessionId.trim() === "") {
      throw new GemmaCoderError("The session id must be a non-empty string.", {
        code: "invalid-argument",
      });
    }
    this.running = true;
    try {
      const loaded = await store.load(sessionId);
      const snapshot = rebuildSession(loaded.records);
      if (snapshot.task === undefined) {
        throw new GemmaCoderError(
          `Session ${sessionId} has no run to resume (it stopped before its first run began).`,
          { code: "invalid-argument" },
        );
      }
      const message = options.message?.trim() ? options.message : undefined;
      if (snapshot.status === "done" && message === undefined) {
        throw new GemmaCoderError(
          `Session ${sessionId} already finished (the model called done). Give a follow-up message to continue it.`,
          { code: "invalid-argument" },
        );
      }
      return await this.execute(snapshot.task, options, {
        sessionId: loaded.sessionId,
        snapshot,
        warnings: loaded.warnings,
        message,
      });
    } finally {
      this.running = false;
    }
  }

  /**
   * Undoes the file changes of a run through the agent's checkpointer: files are put
   * back as they were before the run, files it created are removed, and files changed
   * since by someone else are reported rather than overwritten (unless `force`).
   *
   * @param runId - The run (as in `RunResult.runId`).
   * @param options - Whether to overwrite files changed since the run.
   * @returns What was restored, removed and left alone.
   * @throws GemmaCoderError `unsupported` without a checkpointer, `busy` during a run,
   *   or what the checkpointer throws (e.g. an unknown run).
   */
  async undo(runId: string, options: UndoOptions = {}): Promise<UndoResult> {
    const checkpointer = this.options.checkpointer;
    if (!checkpointer) {
      throw new GemmaCoderError("undo needs a checkpointer: pass `checkpointer` to the Agent.", {
        code: "unsupported",
      });
    }
    if (this.running) {
      throw new GemmaCoderError("Cannot undo while a run is in progress.", { code: "busy" });
    }
    return checkpointer.undo(runId, options);
  }

  /**
   * Runs a task and yields every event as it happens, ending after the `done` event
   * (whose `result` is the run's result). Each event is handed over in the tick it is
   * emitted. Leaving the loop early (`break`, `return`, a throw) cancels the run like
   * aborting its signal: no further model call and no further tool; the loop's exit
   * waits until the run has ended.
   *
   * @param task - What to do.
   * @param options - An optional abort signal.
   * @returns An async iterable of events.
   */
  stream(task: string, options: RunOptions = {}): AsyncGenerator<AgentEvent, RunResult> {
    return this.streamOf(options.signal, (signal) => this.run(task, { ...options, signal }));
  }

  /**
   * Resumes a session (see {@link Agent.resume}) and yields every event as it happens,
   * ending after the `done` event. It throws where `resume` rejects.
   *
   * @param sessionId - The session to continue.
   * @param options - A follow-up message and an abort signal.
   * @returns An async iterable of events.
   */
  resumeStream(
    sessionId: string,
    options: ResumeOptions = {},
  ): AsyncGenerator<AgentEvent, RunResult> {
    return this.streamOf(options.signal, (signal) =>
      this.resume(sessionId, { ...options, signal }),
    );
  }

  /**
   * Calls `listener` with every event of every run, synchronously as it is emitted and
   * in order, in the shape `stream()` yields (`{ type, ...payload }`). One subscription
   * sees what the per-name `on()` listeners see, without naming each event.
   *
   * @param listener - Receives each event; it runs inside the run, so it should not throw.
   * @returns A function that removes the listener.
   */
  onEvent(listener: (event: AgentEvent) => void): () => void {
    // A wrapper per subscription, so subscribing the same function twice is two subscriptions.
    const entry: Listener = (event) => listener(event);
    this.streamListeners.add(entry);
    return () => {
      this.streamListeners.delete(entry);
    };
  }

  /**
   * Runs `start` and yields its events. The run gets its own signal, fired by the
   * caller's signal and by the consumer leaving the loop early (`return()` on the
   * iterator): leaving cancels the run like an abort, and `return()` settles only once
   * the run has ended, so no model request or tool is left running behind it.
   */
  private async *streamOf(
    callerSignal: AbortSignal | undefined,
    start: (signal: AbortSignal) => Promise<RunResult>,
  ): AsyncGenerator<AgentEvent, RunResult> {
    const queue: AgentEvent[] = [];
    let wake: (() => void) | undefined;
    const listener: Listener = (event) => {
      queue.push(event);
      wake?.();
    };
    const stop = new AbortController();
    const onCallerAbort = () => stop.abort(callerSignal?.reason);
    if (callerSignal?.aborted) onCallerAbort();
    else callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
    this.streamListeners.add(listener);
    let finished = false;
    let failure: unknown;
    const promise = start(stop.signal).then(
      (result) => {
        finished = true;
        wake?.();
        return result;
      },
      (error: unknown) => {
        finished = true;
        failure = error;
        wake?.();
        return undefined;
      },
    );
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift() as AgentEvent;
        if (finished) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
      const result = await promise;
      if (result === undefined) throw failure;
      return result;
    } finally {
      callerSignal?.removeEventListener("abort", onCallerAbort);
      if (!finished) {
        stop.abort(
          new GemmaCoderError("The stream's consumer stopped reading, so the run was cancelled.", {
            code: "aborted",
          }),
        );
        await promise;
      }
      this.streamListeners.delete(listener);
    }
  }

  private emitEvent<K extends AgentEventName>(type: K, payload: AgentEventMap[K]): void {
    (this.emit as (name: K, event: AgentEventMap[K]) => boolean)(type, payload);
    if (this.streamListeners.size > 0) {
      const event = { type, ...payload } as AgentEvent;
      for (const listener of this.streamListeners) listener(event);
    }
  }

  private rules(): Promise<string | undefined> {
    if (this.rulesPromise === undefined) {
      const { rules, workspace, rulebookHost } = this.options;
      if (rules === false) this.rulesPromise = Promise.resolve(undefined);
      else if (typeof rules === "string") this.rulesPromise = Promise.resolve(rules);
      else if (workspace === undefined) this.rulesPromise = Promise.resolve(DEFAULT_RULES);
      else {
        this.rulesPromise = loadRulebook({ workspace, host: rulebookHost }).then((book) => {
          for (const message of book.warnings) this.pendingWarnings.push(message);
          return book.text;
        });
        // A failed search is retried on the next run rather than cached.
        this.rulesPromise.catch(() => {
          this.rulesPromise = undefined;
        });
      }
    }
    return this.rulesPromise;
  }

  private readonly pendingWarnings: string[] = [];

  private async execute(
    task: string,
    options: RunOptions,
    resume: ResumeState | undefined,
  ): Promise<RunResult> {
    const now = this.options.now ?? Date.now;
    const startedAt = now();
    const runId = globalThis.crypto.randomUUID();
    const maxSteps = this.options.maxSteps ?? 40;
    const maxInvalid = this.options.maxInvalidReplies ?? 3;
    const repeatWarnAt = this.options.repeatWarnAt ?? 3;
    const repeatStopAt = this.options.repeatStopAt ?? 5;
    const provider = this.options.provider;
    const tools = this.toolMap;
    const toolNames = [...tools.keys()];
    const usage: RunUsage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
    const messages: ChatMessage[] = [];
    const firstStep = resume?.snapshot.lastStep ?? 0;
    let steps = firstStep;
    const checkpointer = this.options.checkpointer;

    // One controller for the run: the caller's signal and the timeout both fire it.
    const controller = new AbortController();
    const signal = controller.signal;
    const onAbort = () =>
      controller.abort(
        new GemmaCoderError("The run was aborted.", {
          code: "aborted",
          cause: options.signal?.reason,
        }),
      );
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
    const timeoutMs = this.options.timeoutMs;
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(
            () =>
              controller.abort(
                new GemmaCoderError(
                  `The run exceeded its time limit of ${formatLimit(timeoutMs)}.`,
                  {
                    code: "timeout",
                  },
                ),
              ),
            timeoutMs,
          );

    const setState = (to: AgentState) => {
      const from = this.currentState;
      if (!TRANSITIONS[from].includes(to)) {
        throw new Error(`Internal error: illegal agent state transition ${from} -> ${to}.`);
      }
      this.currentState = to;
      this.emitEvent("state-change", { runId, from, to });
    };
    const checkAbort = () => {
      if (signal.aborted) throw this.abortStop(signal);
    };

    if (TERMINAL.has(this.currentState)) setState("idle");
    const recorder = await this.openRecorder(runId, startedAt, now, resume);
    const sessionId = recorder?.sessionId;
    const resumeOf = resume?.snapshot.runs.at(-1)?.runId;
    this.emitEvent("run-start", {
      runId,
      task,
      ...(sessionId === undefined ? {} : { sessionId }),
      ...(resumeOf === undefined ? {} : { resumeOf }),
    });
    const warn = async (kind: string, message: string, step?: number) => {
      this.emitEvent("warning", { runId, kind, message });
      await recorder?.write({
        type: "notice",
        runId,
        ...(step === undefined ? {} : { step }),
        kind,
        message,
      });
    };

    let stop: StopRun;
    let summary: string | undefined;
    try {
      if (resume) await this.reportResume(resume, warn);
      checkAbort();
      const rules = await this.rules();
      const maxOutputTokens = this.options.maxOutputTokens ?? 2048;
      const cap = replyCap(maxOutputTokens, this.options.maxReplyChars);
      const window =
        this.options.contextWindow ??
        (await provider.contextWindow?.({ signal }).catch(() => undefined)) ??
        DEFAULT_CONTEXT_WINDOW;
      // Leave room for the reply and a little slack for template tokens we cannot see.
      const budget = Math.max(512, window - maxOutputTokens - 64);
      const exact = provider.capabilities?.exactTokenCount === true && provider.countTokens;
      const context = new ContextManager({
        budget,
        ...(exact ? { count: (text: string) => exact.call(provider, text, { signal }) } : {}),
        ...(this.options.keepRecentMessages === undefined
          ? {}
          : { keepRecent: this.options.keepRecentMessages }),
      });
      const maxResultChars =
        this.options.maxResultChars ??
        Math.min(DEFAULT_MAX_RESULT_CHARS, Math.floor(budget * 0.25 * CHARS_PER_TOKEN));
      const summarize = async (request: readonly ChatMessage[]) => {
        const step = steps;
        try {
          const text = await collectText(provider, request, signal, cap.maxChars);
          await recorder?.write({
            type: "reply",
            runId,
            step,
            purpose: "summary",
            text,
            finishReason: "stop",
          });
          return text;
        } catch (error) {
          // A failed summary is recorded so a replay fails at the same point.
          if (!signal.aborted) {
            await recorder?.write({
              type: "reply",
              runId,
              step,
              purpose: "summary",
              text: "",
              finishReason: "error",
              error: errorMessage(error),
            });
          }
          throw error;
        }
      };
      for (const message of this.pendingWarnings.splice(0)) await warn("rulebook", message);
      const plan = this.constraintPlan();
      if (plan.warning) await warn("constrained-decoding", plan.warning);
      checkAbort();
      const systemPrompt: ChatMessage = {
        role: "system",
        content: buildSystemPrompt({
          tools: [...tools.values()],
          rules,
          instructions: this.options.instructions,
          protocol: plan.protocol,
        }),
      };
      if (resume) {
        messages.push(...resume.snapshot.messages);
        if (messages[0]?.role === "system") messages[0] = systemPrompt;
        else messages.unshift(systemPrompt);
        if (messages.length < 2) messages.push({ role: "user", content: task });
        if (resume.message !== undefined) {
          const last = messages.at(-1) as ChatMessage;
          // Two user messages in a row break some chat templates: merge instead.
          if (last.role === "user") {
            messages[messages.length - 1] = {
              role: "user",
              content: `${last.content}\n\n${resume.message}`,
            };
          } else messages.push({ role: "user", content: resume.message });
        }
      } else {
        messages.push(systemPrompt);
        const mapTokens = this.options.repoMapTokens ?? repoMapBudget(window);
        messages.push({
          role: "user",
          content: await taskWithRepoMap(task, this.options.repoMap, mapTokens, signal, warn),
        });
      }
      await recorder?.write({
        type: "run-start",
        runId,
        task,
        ...(resumeOf === undefined ? {} : { resumeOf }),
        ...(resume?.message === undefined ? {} : { message: resume.message }),
        firstStep,
        provider: provider.id,
        ...(provider.model === undefined ? {} : { model: provider.model }),
        tools: toolNames,
        settings: {
          maxSteps,
          maxOutputTokens,
          contextWindow: window,
          maxResultChars,
          ...(this.options.temperature === undefined
            ? {}
            : { temperature: this.options.temperature }),
        },
      });

      let invalidInARow = 0;
      const callCounts = new Map<string, number>();
      const turnRetry = new TurnRetry(this.options.turnRetry);
      // A stream that broke mid-reply: withdraw its text and ask the same turn again.
      const retryBrokenTurn = (step: number, error: GemmaCoderError, withdrawn: string) =>
        restartBrokenTurn({
          retry: turnRetry,
          runId,
          step,
          error,
          withdrawn,
          signal,
          emit: (payload) => this.emitEvent("turn-restart", payload),
          record: (message) =>
            recorder?.write({ type: "notice", runId, step, kind: "turn-restart", message }) ??
            Promise.resolve(),
        }).catch((thrown: unknown) => {
          if (signal.aborted) throw this.abortStop(signal);
          throw thrown;
        });

      for (;;) {
        if (steps - firstStep >= maxSteps) {
          throw new StopRun(
            "max-steps",
            `The run reached its limit of ${maxSteps} ${maxSteps === 1 ? "step" : "steps"} without calling done.`,
          );
        }
        steps++;
        const step = steps;
        setState("awaiting-model");
        this.emitEvent("turn-start", { runId, step });
        for (const change of await context.fit(messages, summarize)) {
          checkAbort();
          this.emitEvent(change.kind === "elide" ? "context-elided" : "context-compacted", {
            runId,
            step,
            messages: change.messages,
            tokensBefore: change.tokensBefore,
            tokensAfter: change.tokensAfter,
            tokensSaved: change.tokensBefore - change.tokensAfter,
          });
          await recorder?.write({
            type: "context",
            runId,
            step,
            kind: change.kind,
            messages: change.messages,
            tokensBefore: change.tokensBefore,
            tokensAfter: change.tokensAfter,
          });
        }
        checkAbort();
        await recorder?.request(runId, step, messages);

        const reply = createReplyStream({ toolNames });
        const spiral = createSpiralDetector();
        const meter = new ReplyMeter(cap);
        let finishReason: FinishReason | undefined;
        let turnUsage: Usage | undefined;
        let replyTokens: ReplyTokens | undefined;
        const recordReply = (text: string, finish: FinishReason, error?: string) =>
          recorder?.write({
            type: "reply",
            runId,
            step,
            purpose: "turn",
            text,
            finishReason: finish,
            ...(turnUsage === undefined ? {} : { usage: turnUsage }),
            ...(error === undefined ? {} : { error }),
          });
        try {
          const stream = provider.streamChat({
            messages: [...messages],
            stop: plan.stop,
            ...(plan.constraint === undefined ? {} : { constraint: plan.constraint }),
            maxTokens: this.options.maxOutputTokens ?? 2048,
            ...(this.options.temperature === undefined
              ? {}
              : { temperature: this.options.temperature }),
            signal,
          });
          for await (const part of stream) {
            if (part.type === "text-delta") {
              if (part.text === "") continue;
              const kept = meter.take(part.text);
              if (meter.over !== undefined) {
                // Too long: keep what fits and close the request (leaving the loop does).
                if (kept !== "") this.emitEvent("text-delta", { runId, step, text: kept });
                reply.push(kept);
                finishReason = "length";
                break;
              }
              this.emitEvent("text-delta", { runId, step, text: part.text });
              // Once a complete call has arrived, only its close tag may follow (the
              // backend stops there and reports usage). Anything else means the model
              // ran on: leaving the loop closes the stream and stops generation.
              if (reply.push(part.text) && !onlyCloseTagFollows(reply.text, reply.completeAt)) {
                finishReason = "stop-sequence";
                break;
              }
              // Degenerate output: stop paying for it now (leaving the loop aborts the request).
              if (!reply.complete && spiral.push(part.text)) {
                finishReason = "abort";
                break;
              }
            } else if (part.type === "finish") {
              finishReason = part.reason;
              turnUsage = part.usage;
              replyTokens = part.tokens;
            } else {
              this.emitEvent("notice", {
                runId,
                step,
                kind: part.kind,
                message: part.message,
                ...(part.data === undefined ? {} : { data: part.data }),
              });
              await recorder?.write({
                type: "notice",
                runId,
                step,
                kind: part.kind,
                message: part.message,
              });
            }
          }
        } catch (error) {
          if (signal.aborted) throw this.abortStop(signal);
          const failure = toError(error, provider.id);
          // A call that was already complete when the stream broke is used as it is.
          if (reply.complete) finishReason = "stop-sequence";
          else {
            await recordReply(reply.text, "error", failure.message);
            if (await retryBrokenTurn(step, failure, reply.text)) {
              steps--;
              continue;
            }
            const gaveUp = turnGaveUp(failure, turnRetry.usedFor(step));
            throw new StopRun("provider-error", gaveUp.message, gaveUp);
          }
        }
        checkAbort();
        if (finishReason === "error") {
          const failure = new GemmaCoderError("The model stream ended with an error.", {
            code: "provider-stream",
            provider: provider.id,
          });
          await recordReply(reply.text, "error");
          if (await retryBrokenTurn(step, failure, reply.text)) {
            steps--;
            continue;
          }
          const gaveUp = turnGaveUp(failure, turnRetry.usedFor(step));
          throw new StopRun("provider-error", gaveUp.message, gaveUp);
        }
        const reason: FinishReason = finishReason ?? "stop";

        const text =
          reply.complete && meter.over === undefined
            ? reply.text.slice(0, reply.completeAt)
            : reply.text;
        await recordReply(text, reason);
        this.emitEvent("turn-end", {
          runId,
          step,
          text,
          finishReason: reason,
          ...(turnUsage === undefined ? {} : { usage: turnUsage }),
        });
        if (turnUsage) {
          usage.inputTokens += turnUsage.inputTokens ?? 0;
          usage.outputTokens += turnUsage.outputTokens ?? 0;
          usage.cachedInputTokens += turnUsage.cachedInputTokens ?? 0;
          this.emitEvent("usage", { runId, step, usage: turnUsage, total: { ...usage } });
        }

        const rejectReply = async (feedback: string, asResult: boolean) => {
          invalidInARow++;
          await recorder?.write({
            type: "invalid-reply",
            runId,
            step,
            feedback,
            consecutive: invalidInARow,
          });
          this.emitEvent("invalid-reply", { runId, step, feedback, consecutive: invalidInARow });
          if (invalidInARow >= maxInvalid) {
            throw new StopRun(
              "invalid-replies",
              `The model sent ${invalidInARow} replies in a row without a usable tool call. Last problem: ${feedback.split("\n")[0]}`,
            );
          }
          messages.push({
            role: "user",
            content: asResult ? formatToolResult({ ok: false, error: feedback }) : feedback,
          });
        };

        if (meter.over !== undefined) {
          // Only a head of the cut reply stays in the conversation: the rest is noise.
          messages.push({
            role: "assistant",
            content: assistantContent(text.slice(0, OVERSIZE_HISTORY_CHARS), false),
          });
          await rejectReply(oversizeFeedback(meter), false);
          continue;
        }
        if (spiral.spiral) {
          // The history keeps what came before the loop, so the model does not read it back.
          messages.push({ role: "assistant", content: text.slice(0, spiral.spiral.start) || "…" });
          await rejectReply(SPIRAL_NUDGE, false);
          continue;
        }

        // Parse what the history will show: the reply up to the end of a completed call.
        const parsed = parseReply(text, { toolNames, finishReason: reason });
        messages.push(replyMessage(text, parsed.kind === "call", replyTokens));

        if (parsed.kind === "none") {
          await rejectReply(NUDGE, false);
          continue;
        }
        if (parsed.kind === "invalid") {
          await rejectReply(parsed.feedback, true);
          continue;
        }

        const tool = tools.get(parsed.call.name) as AnyTool;
        const validation = tool.inputSchema.safeParse(parsed.call.args);
        if (!validation.success) {
          await rejectReply(
            formatValidationError(tool.name, validation.error, describeTool(tool)),
            true,
          );
          continue;
        }
        invalidInARow = 0;
        const args = parsed.call.args;

        const key = `${tool.name}:${stableKey(args)}`;
        const count = (callCounts.get(key) ?? 0) + 1;
        callCounts.set(key, count);
        if (count >= repeatStopAt) {
          throw new StopRun(
            "repeated-calls",
            `The model made the same ${tool.name} call ${count} times with no change in between.`,
          );
        }
        const notes: string[] = [];
        if (parsed.warning) notes.push(parsed.warning);
        if (count >= repeatWarnAt) {
          notes.push(
            `You made this exact call ${count} times with nothing changed in between. Do something different.`,
          );
          // The user should see what the model is told, not just a run that seems stuck.
          await warn(
            "repeated-call",
            `The model made the same ${tool.name} call ${count} times with nothing changed in between.`,
            step,
          );
        }

        setState("executing-tool");
        // Written before the tool runs: a transcript cut short here shows a call in flight.
        await recorder?.write({ type: "tool-call", runId, step, name: tool.name, args });
        this.emitEvent("tool-call", { runId, step, name: tool.name, args });
        const toolStarted = now();
        const changes = checkpointer !== undefined && tool.readOnly !== true;
        const change: FileChange = {
          runId,
          ...(sessionId === undefined ? {} : { sessionId }),
          step,
          tool: tool.name,
          args,
          signal,
        };
        let result: ToolResult | undefined;
        const denial = await this.approveCall(tool, validation.data, signal);
        if (denial !== undefined) result = { ok: false, error: denial };
        else if (changes) {
          try {
            await checkpointer.beforeChange(change);
          } catch (error) {
            if (signal.aborted) throw this.abortStop(signal);
            const message = `The files this call may change could not be checkpointed (${errorMessage(error)}), so it was not run.`;
            await warn("checkpoint", message, step);
            result = { ok: false, error: message };
          }
        }
        if (result === undefined) {
          try {
            const value = await this.runTool(tool, validation.data, { signal, runId, step });
            result = { ok: true, value };
          } catch (error) {
            if (signal.aborted) {
              // Best effort: what an aborted change left is still worth knowing at undo time.
              if (changes) await this.afterChange(change, { ok: false, error: "aborted" });
              throw this.abortStop(signal);
            }
            result = { ok: false, error: errorMessage(error) };
          }
          if (changes) {
            const problem = await this.afterChange(change, result);
            if (problem) await warn("checkpoint", problem, step);
          }
        }
        checkAbort();
        const durationMs = now() - toolStarted;
        await recorder?.write({
          type: "tool-result",
          runId,
          step,
          name: tool.name,
          result,
          durationMs,
        });
        this.emitEvent("tool-result", { runId, step, name: tool.name, result, durationMs });
        if (tool.name === DONE_TOOL_NAME && result.ok) {
          summary = String(result.value);
          messages.push({
            role: "user",
            content: formatToolResult(result, { maxChars: maxResultChars }),
          });
          setState("done");
          stop = new StopRun("done", "The model called done.");
          break;
        }
        // A change to the workspace makes an earlier identical call meaningful again.
        if (result.ok && tool.readOnly !== true) callCounts.clear();
        messages.push({
          role: "user",
          content: formatToolResult(result, {
            maxChars: maxResultChars,
            note: notes.length > 0 ? notes.join(" ") : undefined,
          }),
        });
      }
    } catch (thrown) {
      if (thrown instanceof StopRun) stop = thrown;
      else {
        const failure = new GemmaCoderError(`Internal error: ${errorMessage(thrown)}`, {
          code: "invalid-argument",
          cause: thrown,
        });
        stop = new StopRun("provider-error", failure.message, failure);
      }
      const terminal: AgentState =
        stop.stopReason === "aborted" ? "aborted" : stop.stopReason === "done" ? "done" : "failed";
      if (this.currentState !== terminal) setState(terminal);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    }

    const status = this.currentState as RunResult["status"];
    const result: RunResult = {
      runId,
      ...(sessionId === undefined ? {} : { sessionId }),
      status,
      stopReason: stop.stopReason,
      ...(summary === undefined ? {} : { summary }),
      steps,
      usage: { ...usage },
      ...(stop.error === undefined ? {} : { error: stop.error }),
      message: stop.message,
      messages,
      durationMs: now() - startedAt,
    };
    await recorder?.write({
      type: "run-end",
      runId,
      status,
      stopReason: stop.stopReason,
      ...(summary === undefined ? {} : { summary }),
      steps,
      usage: { ...usage },
      message: stop.message,
      ...(stop.error === undefined
        ? {}
        : { error: { code: stop.error.code, message: stop.error.message } }),
      durationMs: result.durationMs,
    });
    if (stop.error && stop.stopReason === "provider-error") {
      this.emitEvent("error", { runId, error: stop.error });
    }
    this.emitEvent("done", { runId, result });
    return result;
  }

  /** Opens the run's transcript: a new session, or the resumed one. Never throws. */
  private async openRecorder(
    runId: string,
    startedAt: number,
    now: () => number,
    resume: ResumeState | undefined,
  ): Promise<SessionRecorder | undefined> {
    const store = this.options.session;
    if (!store) return undefined;
    const onError = (error: unknown) =>
      this.emitEvent("warning", {
        runId,
        kind: "session",
        message: `The session transcript could not be written (${errorMessage(error)}); the run goes on without it.`,
      });
    try {
      const { workspace } = this.options;
      const sessionId =
        resume?.sessionId ??
        (await store.create({
          time: startedAt,
          ...(workspace === undefined ? {} : { workspace }),
        }));
      return new SessionRecorder(
        store,
        sessionId,
        now,
        onError,
        resume?.snapshot.requestHistory ?? [],
      );
    } catch (error) {
      onError(error);
      return undefined;
    }
  }

  /** Tells the user what resuming worked around: a damaged tail, a call in flight. */
  private async reportResume(
    resume: ResumeState,
    warn: (kind: string, message: string) => Promise<void>,
  ): Promise<void> {
    for (const message of resume.warnings) await warn("session", message);
    const { snapshot } = resume;
    if (snapshot.lastRequest) {
      const hash = await hashMessages(snapshot.requestHistory).catch(() => undefined);
      if (hash !== undefined && hash !== snapshot.lastRequest.hash) {
        await warn(
          "session",
          "The rebuilt conversation does not match the transcript's checksum; resuming with it as recorded.",
        );
      }
    }
    const call = snapshot.interruptedCall;
    if (call) {
      await warn(
        "session",
        `The session stopped while ${call.name} (step ${call.step}) was running; the model is told its effect is unknown.`,
      );
    }
  }

  /**
   * Asks the `approve` hook about a call that is not read-only, before anything with side
   * effects (the checkpoint, the tool) happens.
   *
   * @returns `undefined` when the call may run, else the error the model reads.
   */
  private async approveCall(
    tool: AnyTool,
    input: unknown,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const approve = this.options.approve;
    if (approve === undefined || tool.readOnly === true) return undefined;
    try {
      return await askApproval(approve, { tool: tool.name, input }, signal);
    } catch (error) {
      if (signal.aborted) throw this.abortStop(signal);
      throw error;
    }
  }

  /** Tells the checkpointer what a call left; returns a warning instead of throwing. */
  private async afterChange(change: FileChange, result: ToolResult): Promise<string | undefined> {
    const checkpointer = this.options.checkpointer;
    if (!checkpointer?.afterChange) return undefined;
    const { signal: _signal, ...rest } = change;
    try {
      await checkpointer.afterChange({ ...rest, result });
      return undefined;
    } catch (error) {
      return `The state this call left could not be recorded for undo (${errorMessage(error)}).`;
    }
  }

  private abortStop(signal: AbortSignal): StopRun {
    const error = abortError(signal);
    if (error.code === "timeout") return new StopRun("timeout", error.message, error);
    return new StopRun("aborted", error.message, error);
  }

  /** Runs a tool, but never waits past an abort: a tool that ignores its signal is left behind. */
  private runTool(
    tool: AnyTool,
    input: unknown,
    context: { signal: AbortSignal; runId: string; step: number },
  ): Promise<unknown> {
    const work = Promise.resolve().then(() => tool.execute(input, context));
    // A tool that ignores its signal is left behind rather than holding the run.
    work.catch(() => {});
    return untilAborted(work, context.signal);
  }
}
