import type { GemmaCoderError } from "../errors/gemma-coder-error.js";
import type { ToolResult } from "../protocol/tool-result.js";
import type { ChatMessage, FinishReason, Usage } from "../provider/provider.js";

/** The states of a run. `done`, `failed` and `aborted` are terminal. */
export type AgentState =
  | "idle"
  | "awaiting-model"
  | "executing-tool"
  | "done"
  | "failed"
  | "aborted";

/** Why a run ended. */
export type StopReason =
  | "done"
  | "max-steps"
  | "invalid-replies"
  | "repeated-calls"
  | "timeout"
  | "aborted"
  | "provider-error";

/** Token usage summed over a run. */
export interface RunUsage {
  /** Prompt tokens over all turns, as reported by the provider. */
  inputTokens: number;
  /** Generated tokens over all turns. */
  outputTokens: number;
  /** Prompt tokens served from the KV cache, where reported. */
  cachedInputTokens: number;
}

/** What `agent.run()` resolves to. */
export interface RunResult {
  /** The run's id, as carried by its events (and taken by `agent.undo`). */
  runId: string;
  /** The session the run wrote its transcript to, when the agent has a session store. */
  sessionId?: string;
  /** How the run ended. */
  status: "done" | "failed" | "aborted";
  /** The specific reason. */
  stopReason: StopReason;
  /** The summary the model gave to `done`. */
  summary?: string;
  /** Model turns taken; for a resumed session, the last step number (counted from the session's start). */
  steps: number;
  /** Token usage summed over the run. */
  usage: RunUsage;
  /** The error behind a `provider-error`, `timeout` or `aborted` stop. */
  error?: GemmaCoderError;
  /** A sentence for humans explaining the stop. */
  message: string;
  /** The conversation, system prompt first. */
  messages: ChatMessage[];
  /** Wall-clock duration in milliseconds. */
  durationMs: number;
}

/** The payload of every event: the name, what it carries. Each event carries one object. */
export interface AgentEventMap {
  /** A run began. */
  "run-start": {
    runId: string;
    task: string;
    /** The session the run writes to, when the agent has a session store. */
    sessionId?: string;
    /** For a resumed session: the run it continues. */
    resumeOf?: string;
  };
  /** The state machine moved. */
  "state-change": { runId: string; from: AgentState; to: AgentState };
  /**
   * A model turn began. There is one per step: a turn asked again after its stream broke
   * stays the same step and is announced by `turn-restart` alone.
   */
  "turn-start": { runId: string; step: number };
  /** The model streamed text. */
  "text-delta": { runId: string; step: number; text: string };
  /**
   * A turn's stream broke after its reply had started, and the turn is asked again from
   * the same prompt: the text streamed so far for this step (`withdrawn`) is void, and a
   * view should erase or mark it. Nothing of it was parsed or run. No new `turn-start`
   * follows: the `text-delta` events after this one are the new attempt's, and the
   * step's `turn-end` closes it.
   */
  "turn-restart": {
    runId: string;
    step: number;
    /** The new attempt, counting from 1. */
    attempt: number;
    /** The most new attempts the turn gets. */
    retries: number;
    /**
     * Why the stream broke: the provider's error code and message; or code
     * `stop-inside-call` when a stop sequence cut a call inside one of its strings.
     */
    reason: { code: string; message: string };
    /** The text withdrawn (all `text-delta` of this step so far). */
    withdrawn: string;
    /** The wait before the new attempt, in milliseconds. */
    delayMs: number;
  };
  /** A model turn ended. */
  "turn-end": {
    runId: string;
    step: number;
    text: string;
    finishReason: FinishReason;
    usage?: Usage;
  };
  /** The model called a tool (arguments validated). */
  "tool-call": { runId: string; step: number; name: string; args: Record<string, unknown> };
  /** A tool finished. */
  "tool-result": {
    runId: string;
    step: number;
    name: string;
    result: ToolResult;
    durationMs: number;
  };
  /** The reply had no usable call; `feedback` went back to the model. */
  "invalid-reply": { runId: string; step: number; feedback: string; consecutive: number };
  /** Token usage of one turn and the running total. */
  usage: { runId: string; step: number; usage: Usage; total: RunUsage };
  /** A provider notice (retry, fallback model, ...). */
  notice: {
    runId: string;
    step: number;
    kind: string;
    message: string;
    data?: Record<string, unknown>;
  };
  /** Old tool results were elided to fit the context window. */
  "context-elided": {
    runId: string;
    step: number;
    messages: number;
    tokensBefore: number;
    tokensAfter: number;
    tokensSaved: number;
  };
  /** The middle of the history was replaced by a summary to fit the context window. */
  "context-compacted": {
    runId: string;
    step: number;
    messages: number;
    tokensBefore: number;
    tokensAfter: number;
    tokensSaved: number;
  };
  /** Something the user should know that does not stop the run. */
  warning: { runId: string; kind: string; message: string };
  /** The run ended, successfully or not. */
  done: { runId: string; result: RunResult };
  /** A provider or internal error ended the run. */
  error: { runId: string; error: GemmaCoderError };
}

/** The event names of {@link AgentEventMap}. */
export type AgentEventName = keyof AgentEventMap;

/** One event as yielded by `agent.stream()`: its name in `type`, plus its payload. */
export type AgentEvent = {
  [K in AgentEventName]: { type: K } & AgentEventMap[K];
}[AgentEventName];

/** The eventemitter3 listener map derived from {@link AgentEventMap}. */
export type AgentListeners = {
  [K in AgentEventName]: (event: AgentEventMap[K]) => void;
};
