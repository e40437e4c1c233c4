import type { ToolCallConstraintPlan } from "../constrained/plan-tool-call-constraint.js";
import type { ContextManager, Summarizer } from "../context/context-manager.js";
import type { ChatMessage, ModelProvider } from "../provider/provider.js";
import type { AnyTool } from "../tools/define-tool.js";
import type { AgentOptions } from "./agent-options.js";
import type { AgentSettings } from "./agent-settings.js";
import type { AgentState, RunUsage } from "./events.js";
import type { RepeatGuard } from "./repeat-guard.js";
import type { ReplyCap } from "./reply-cap.js";
import type { RunJournal } from "./run-journal.js";
import type { TurnRetry } from "./turn-retry.js";

/**
 * What one run carries from its start to its end, before the conversation is set up:
 * enough to report and finish a run that stops early (an abort during set-up).
 */
export interface RunFrame {
  /** The run's id. */
  readonly runId: string;
  /** The task as given (a resumed run repeats the session's task). */
  readonly task: string;
  /** When the run started, by the settings' clock. */
  readonly startedAt: number;
  /** The agent's options. */
  readonly options: AgentOptions;
  /** The limits, defaults filled in. */
  readonly settings: AgentSettings;
  /** The model backend. */
  readonly provider: ModelProvider;
  /** The tools on offer by name, `done` included. */
  readonly tools: ReadonlyMap<string, AnyTool>;
  /** Their names, for the parser. */
  readonly toolNames: readonly string[];
  /** Fires on abort or timeout. */
  readonly signal: AbortSignal;
  /** Emits events and writes the transcript. */
  readonly journal: RunJournal;
  /** The conversation sent to the model, system prompt first. */
  readonly messages: ChatMessage[];
  /** Token usage so far. */
  readonly usage: RunUsage;
  /** The step the run starts after (a resumed session's last step, else 0). */
  readonly firstStep: number;
  /** The last step begun. */
  steps: number;
  /** What `done` reported, once it was called. */
  summary: string | undefined;
  /** Moves the agent's state machine (and emits `state-change`). */
  setState(to: AgentState): void;
}

/** A run whose conversation is set up: what every turn reads and updates. */
export interface Run extends RunFrame {
  /** Keeps the conversation within the context window. */
  readonly context: ContextManager;
  /** The summarising call the context manager makes when eliding is not enough. */
  readonly summarize: Summarizer;
  /** How calls are constrained with this provider (stop sequences, grammar). */
  readonly plan: ToolCallConstraintPlan;
  /** Cap on one reply. */
  readonly cap: ReplyCap;
  /** Cap on a tool result's characters. */
  readonly maxResultChars: number;
  /** Asks a broken turn again. */
  readonly turnRetry: TurnRetry;
  /** Counts identical calls. */
  readonly repeats: RepeatGuard;
  /** Replies in a row without a usable call. */
  invalidInARow: number;
}
