import type { RunUsage, StopReason } from "../agent/events.js";
import type { ToolResult } from "../protocol/tool-result.js";
import type { ChatMessage, FinishReason, NativeToolCall, Usage } from "../provider/provider.js";

/**
 * The transcript format version this SDK writes and reads. Every record carries it as
 * `v`; a reader refuses records with a higher version instead of misreading them.
 */
export const TRANSCRIPT_VERSION = 1;

/** The `format` marker of a transcript's first record. */
export const TRANSCRIPT_FORMAT = "gemma-coder-transcript";

/** Fields every transcript record carries. */
export interface TranscriptRecordBase {
  /** The format version, {@link TRANSCRIPT_VERSION}. */
  v: 1;
  /** When the record was written, in milliseconds since the epoch. */
  time: number;
}

/** The first record of every transcript. */
export interface SessionHeaderRecord extends TranscriptRecordBase {
  /** Discriminator. */
  type: "session";
  /** Always {@link TRANSCRIPT_FORMAT}, so other JSONL files are recognised as such. */
  format: typeof TRANSCRIPT_FORMAT;
  /** The session's id. */
  sessionId: string;
  /** The workspace the session worked in, when known. */
  workspace?: string;
}

/** The settings a run used that matter for resuming or replaying it. */
export interface RunSettings {
  /** The step limit of the run. */
  maxSteps: number;
  /** The cap on one reply's tokens. */
  maxOutputTokens: number;
  /** The context window the run assumed, in tokens. */
  contextWindow: number;
  /** The cap on a tool result's characters. */
  maxResultChars: number;
  /** The sampling temperature, when one was set. */
  temperature?: number;
}

/** A run began (a new task, or a resumed session). */
export interface RunStartRecord extends TranscriptRecordBase {
  /** Discriminator. */
  type: "run-start";
  /** The run's id. */
  runId: string;
  /** The task, as first given (a resumed run repeats the session's task). */
  task: string;
  /** For a resumed run: the run it continues. */
  resumeOf?: string;
  /** For a resumed run: the follow-up message given with the resume, if any. */
  message?: string;
  /** The step number the run starts after (0 for a new session). */
  firstStep: number;
  /** The provider's id. */
  provider: string;
  /** The model name, when the provider reports one. */
  model?: string;
  /** The names of the tools on offer, `done` included. */
  tools: string[];
  /** The settings in effect. */
  settings: RunSettings;
}

/**
 * A model request. The messages are stored as a delta: the request's history is the
 * previous request's history cut to `base` messages, followed by `messages`. A
 * request that only appends has `base` equal to the previous count; a context
 * compaction or a rebuilt system prompt shows up as a smaller `base`.
 */
export interface RequestRecord extends TranscriptRecordBase {
  /** Discriminator. */
  type: "request";
  /** The run's id. */
  runId: string;
  /** The step (model turn) number. */
  step: number;
  /** SHA-256 (hex) of the rendered messages, see `hashMessages`. */
  hash: string;
  /** How many messages the request carried. */
  count: number;
  /** How many messages of the previous request's history are kept. */
  base: number;
  /** The messages after `base`. */
  messages: ChatMessage[];
}

/** A model reply: a turn's text, or the text of a summarising call. */
export interface ReplyRecord extends TranscriptRecordBase {
  /** Discriminator. */
  type: "reply";
  /** The run's id. */
  runId: string;
  /** The step the reply belongs to. */
  step: number;
  /** `turn`: the agent's turn; `summary`: the call that compacts the history. */
  purpose: "turn" | "summary";
  /** The reply text as the agent used it (cut after a complete call). */
  text: string;
  /** Why generation stopped. */
  finishReason: FinishReason;
  /** Token usage, when the provider reported it. */
  usage?: Usage;
  /** The provider's error message, when the call failed. */
  error?: string;
}

/** A validated tool call, written before the tool runs (and before it is approved). */
export interface ToolCallRecord extends TranscriptRecordBase {
  /** Discriminator. */
  type: "tool-call";
  /** The run's id. */
  runId: string;
  /** The step. */
  step: number;
  /** The tool's name. */
  name: string;
  /** The arguments the model gave. */
  args: Record<string, unknown>;
  /**
   * `pending` when the call waits for approval first: it runs only after an
   * {@link ApprovalRecord} that allows it, so a transcript that stops in between shows a
   * call that never ran. Absent for a call that runs at once.
   */
  approval?: "pending";
  /**
   * The native tool call it came as (the `native` protocol), so a session resumed after
   * the call was cut off sends it back as that call, answered by its id. Absent for a
   * call made in the reply's text.
   */
  native?: NativeToolCall;
}

/** The answer to a call's approval question, written before the call runs. */
export interface ApprovalRecord extends TranscriptRecordBase {
  /** Discriminator. */
  type: "approval";
  /** The run's id. */
  runId: string;
  /** The step. */
  step: number;
  /** The tool's name. */
  name: string;
  /** Whether the call was allowed to run. */
  approved: boolean;
}

/** A tool's result. */
export interface ToolResultRecord extends TranscriptRecordBase {
  /** Discriminator. */
  type: "tool-result";
  /** The run's id. */
  runId: string;
  /** The step. */
  step: number;
  /** The tool's name. */
  name: string;
  /** What the tool returned or the error it raised. */
  result: ToolResult;
  /** How long the tool took, in milliseconds. */
  durationMs: number;
}

/** A reply without a usable call; the feedback went back to the model. */
export interface InvalidReplyRecord extends TranscriptRecordBase {
  /** Discriminator. */
  type: "invalid-reply";
  /** The run's id. */
  runId: string;
  /** The step. */
  step: number;
  /** The feedback sent to the model. */
  feedback: string;
  /** Invalid replies in a row so far. */
  consecutive: number;
}

/** The history was shortened to fit the context window. */
export interface ContextRecord extends TranscriptRecordBase {
  /** Discriminator. */
  type: "context";
  /** The run's id. */
  runId: string;
  /** The step. */
  step: number;
  /** `elide`: old results stubbed; `compact`: the middle summarised. */
  kind: "elide" | "compact";
  /** Messages changed or removed. */
  messages: number;
  /** Estimated tokens before. */
  tokensBefore: number;
  /** Estimated tokens after. */
  tokensAfter: number;
}

/** A provider notice or an agent warning. */
export interface NoticeRecord extends TranscriptRecordBase {
  /** Discriminator. */
  type: "notice";
  /** The run's id. */
  runId: string;
  /** The step, when the notice belongs to one. */
  step?: number;
  /** A short machine-readable kind. */
  kind: string;
  /** A sentence for humans. */
  message: string;
}

/** A run ended. */
export interface RunEndRecord extends TranscriptRecordBase {
  /** Discriminator. */
  type: "run-end";
  /** The run's id. */
  runId: string;
  /** How the run ended. */
  status: "done" | "failed" | "aborted";
  /** The specific reason. */
  stopReason: StopReason;
  /** The summary given to `done`. */
  summary?: string;
  /** The last step number. */
  steps: number;
  /** Token usage summed over the run. */
  usage: RunUsage;
  /** A sentence for humans explaining the stop. */
  message: string;
  /** The error behind the stop, when there was one. */
  error?: {
    /** The error's code, as in `GemmaCoderError.code`. */
    code: string;
    /** The error's message. */
    message: string;
  };
  /** Wall-clock duration in milliseconds. */
  durationMs: number;
}

/**
 * One line of a session transcript (JSONL, one `JSON.stringify` per line). The union
 * is versioned by `v`; new record types may be added within a version, and readers
 * skip types they do not know.
 */
export type TranscriptRecord =
  | SessionHeaderRecord
  | RunStartRecord
  | RequestRecord
  | ReplyRecord
  | ToolCallRecord
  | ApprovalRecord
  | ToolResultRecord
  | InvalidReplyRecord
  | ContextRecord
  | NoticeRecord
  | RunEndRecord;

/** The `type` names of {@link TranscriptRecord}. */
export type TranscriptRecordType = TranscriptRecord["type"];
