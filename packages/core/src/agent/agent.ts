import { EventEmitter } from "eventemitter3";
import {
  planToolCallConstraint,
  type ToolCallConstraintPlan,
} from "../constrained/plan-tool-call-constraint.js";
import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import { DEFAULT_RULES } from "../rules/default-rules.js";
import { loadRulebook } from "../rules/load-rulebook.js";
import type { UndoOptions, UndoResult } from "../session/checkpointer.js";
import { rebuildSession } from "../session/rebuild-session.js";
import { assertZodSchema } from "../tools/assert-zod-schema.js";
import { type AnyTool, assertToolName } from "../tools/define-tool.js";
import { DONE_TOOL_NAME, doneTool } from "../tools/done-tool.js";
import type { AgentOptions, ResumeOptions, RunOptions } from "./agent-options.js";
import { agentSettings, assertAgentOptions } from "./agent-settings.js";
import { assertTransition, TERMINAL, terminalStateFor } from "./agent-states.js";
import { type EventListener, streamEvents } from "./event-stream.js";
import type {
  AgentEvent,
  AgentEventMap,
  AgentEventName,
  AgentListeners,
  AgentState,
  RunResult,
} from "./events.js";
import { finishRun, stopForThrown } from "./finish-run.js";
import type { ResumeState } from "./resume-state.js";
import type { Run, RunFrame } from "./run-context.js";
import { openJournal } from "./run-journal.js";
import { createRunSignal } from "./run-signal.js";
import { runTurn } from "./run-turn.js";
import { startRun } from "./start-run.js";
import { buildSystemPrompt } from "./system-prompt.js";
import type { RunStop } from "./turn-outcome.js";

export type { AgentOptions, ResumeOptions, RunOptions } from "./agent-options.js";

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
  private readonly streamListeners = new Set<EventListener>();
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
    assertAgentOptions(options);
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
    return streamEvents(this.streamListeners, options.signal, (signal) =>
      this.run(task, { ...options, signal }),
    );
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
    return streamEvents(this.streamListeners, options.signal, (signal) =>
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
    const entry: EventListener = (event) => listener(event);
    this.streamListeners.add(entry);
    return () => {
      this.streamListeners.delete(entry);
    };
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

  /**
   * The run driver: start the run (`idle`), take turns until one stops it, finish the run
   * (`done` | `failed` | `aborted`). Every stop is a value a turn returns, except an abort,
   * which unwinds from wherever the run waits (see `RunAborted`).
   */
  private async execute(
    task: string,
    options: RunOptions,
    resume: ResumeState | undefined,
  ): Promise<RunResult> {
    // One signal for the run: the caller's signal and the timeout both fire it.
    const runSignal = createRunSignal(options.signal, this.options.timeoutMs);
    const frame = await this.openRun(task, resume, runSignal.signal);
    let stop: RunStop;
    try {
      const run = await startRun(frame, {
        rules: () => this.rules(),
        takeRulebookWarnings: () => this.pendingWarnings.splice(0),
        plan: () => this.constraintPlan(),
        resume,
      });
      stop = await this.takeTurns(run);
    } catch (thrown) {
      stop = stopForThrown(thrown);
    } finally {
      runSignal.dispose();
    }
    const terminal = terminalStateFor(stop.stopReason);
    if (this.currentState !== terminal) frame.setState(terminal);
    return finishRun(frame, stop, this.currentState as RunResult["status"]);
  }

  /** Starts a run (`idle`): the state machine reset, the journal opened, `run-start` emitted. */
  private async openRun(
    task: string,
    resume: ResumeState | undefined,
    signal: AbortSignal,
  ): Promise<RunFrame> {
    const settings = agentSettings(this.options);
    const startedAt = settings.now();
    const runId = globalThis.crypto.randomUUID();
    const setState = (to: AgentState) => {
      const from = this.currentState;
      assertTransition(from, to);
      this.currentState = to;
      this.emitEvent("state-change", { runId, from, to });
    };
    if (TERMINAL.has(this.currentState)) setState("idle");
    const journal = await openJournal({
      runId,
      emit: this.emitEvent.bind(this),
      store: this.options.session,
      workspace: this.options.workspace,
      startedAt,
      now: settings.now,
      resume: resume && {
        sessionId: resume.sessionId,
        requestHistory: resume.snapshot.requestHistory,
      },
    });
    const { sessionId } = journal;
    const resumeOf = resume?.snapshot.runs.at(-1)?.runId;
    this.emitEvent("run-start", {
      runId,
      task,
      ...(sessionId === undefined ? {} : { sessionId }),
      ...(resumeOf === undefined ? {} : { resumeOf }),
    });
    const firstStep = resume?.snapshot.lastStep ?? 0;
    return {
      runId,
      task,
      startedAt,
      options: this.options,
      settings,
      provider: this.options.provider,
      tools: this.toolMap,
      toolNames: [...this.toolMap.keys()],
      signal,
      journal,
      messages: [],
      usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
      firstStep,
      steps: firstStep,
      summary: undefined,
      setState,
    };
  }

  /** Takes turns until one returns a stop. */
  private async takeTurns(run: Run): Promise<RunStop> {
    for (;;) {
      const outcome = await runTurn(run);
      if (outcome.kind === "stop") return outcome;
    }
  }
}
