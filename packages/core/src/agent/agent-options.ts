import type { ConstrainedDecodingMode } from "../constrained/plan-tool-call-constraint.js";
import type { ToolCallGrammarOptions } from "../constrained/tool-call-grammar.js";
import type { ModelProvider } from "../provider/provider.js";
import type { RulebookHost } from "../rules/load-rulebook.js";
import type { Checkpointer } from "../session/checkpointer.js";
import type { SessionStore } from "../session/session-store.js";
import type { AnyTool } from "../tools/define-tool.js";
import type { ApprovalHandler } from "./approve-call.js";
import type { AgentProtocol } from "./protocol-plan.js";
import type { RepoMapSource } from "./repo-map-prompt.js";
import type { TurnRetryOptions } from "./turn-retry.js";

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
  /**
   * Wall-clock limit for a run in milliseconds, at most 2147483647 (Node's longest timer);
   * `0` or `Infinity` for none. Default: none.
   */
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
  /**
   * How the model makes tool calls: `"text"` (a `<tool>` block, the default), `"native"`
   * (the provider's tool API; needs `capabilities.nativeTools`, else the constructor
   * throws `unsupported`) or `"json"` (the reply is one JSON object, held to a schema
   * where the provider enforces one). See {@link AgentProtocol} and docs/protocol.md.
   */
  protocol?: AgentProtocol | undefined;
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
