import type { StopReason } from "../agent/events.js";
import { assistantTurnMessage, toolResultMessage } from "../agent/native-calls.js";
import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import { DEFAULT_MAX_RESULT_CHARS, formatToolResult } from "../protocol/tool-result.js";
import type { ChatMessage } from "../provider/provider.js";
import { INTERRUPTED_CALL_ERROR, UNAPPROVED_CALL_ERROR } from "./assistant-message.js";
import type {
  ApprovalRecord,
  ReplyRecord,
  RequestRecord,
  RunSettings,
  RunStartRecord,
  ToolCallRecord,
  ToolResultRecord,
  TranscriptRecord,
} from "./transcript-record.js";

/** How a run of a session ended; `interrupted` when its transcript has no end record. */
export type SessionRunStatus = "done" | "failed" | "aborted" | "interrupted";

/** One run of a session, as its transcript tells it. */
export interface SessionRunInfo {
  /** The run's id (the one `undo` takes). */
  runId: string;
  /** The task. */
  task: string;
  /** The run this one resumed, if any. */
  resumeOf?: string;
  /** When the run started, in milliseconds since the epoch. */
  startedAt: number;
  /** When it ended, when it did. */
  endedAt?: number;
  /** How it ended. */
  status: SessionRunStatus;
  /** Why it stopped, when it ended. */
  stopReason?: StopReason;
  /** The `done` summary, when there is one. */
  summary?: string;
  /** The last step number it reached. */
  lastStep: number;
  /** The provider's id. */
  provider: string;
  /** The model, when known. */
  model?: string;
  /** The settings it ran with. */
  settings: RunSettings;
}

/**
 * A call whose result was never recorded: the session stopped while it waited for
 * approval (it never ran) or while it ran (its effect is unknown).
 */
export interface InterruptedCall {
  /** The run. */
  runId: string;
  /** The step. */
  step: number;
  /** The tool. */
  name: string;
  /** Its arguments. */
  args: Record<string, unknown>;
  /**
   * `awaiting-approval`: the session stopped before the user answered, so the call never
   * ran; `running`: it had started, so nobody knows what it did.
   */
  state: "awaiting-approval" | "running";
}

/** A session folded from its records: what it did and where to continue from. */
export interface SessionSnapshot {
  /** The session's id. */
  sessionId: string;
  /** When the session was created. */
  createdAt: number;
  /** The time of its last record. */
  updatedAt: number;
  /** The workspace, when recorded. */
  workspace?: string;
  /** The first run's task, when a run started. */
  task?: string;
  /** The runs, oldest first. */
  runs: SessionRunInfo[];
  /** The last run's status, or `empty` when no run started. */
  status: SessionRunStatus | "empty";
  /** The highest step number recorded. */
  lastStep: number;
  /** The conversation exactly as the last model request carried it (system prompt first). */
  requestHistory: ChatMessage[];
  /** The last request's step and hash, to check `requestHistory` against. */
  lastRequest?: {
    /** The run that made it. */
    runId: string;
    /** Its step. */
    step: number;
    /** The recorded hash of its messages. */
    hash: string;
  };
  /**
   * The conversation to continue from: `requestHistory`, plus the last reply and the
   * result of its call when a call was recorded after the last request. A call without
   * a result gets an error result: it never ran (the session stopped while it waited for
   * approval), or its effect is unknown (the session stopped while it ran). A reply
   * without a call is dropped: the model is simply asked again.
   */
  messages: ChatMessage[];
  /** The call that was waiting for approval or running when the session stopped, if any. */
  interruptedCall?: InterruptedCall;
}

function damaged(message: string): GemmaCoderError {
  return new GemmaCoderError(`The transcript is damaged: ${message}`, {
    code: "invalid-argument",
  });
}

// long-function: one pass over the records, one short case per record type, replayed in order
/**
 * Folds a session's records into its runs and its conversation, for listing and for
 * `agent.resume`. Records of unknown runs are ignored; a request that does not fit the
 * history before it (a record is missing) stops with a clear error.
 *
 * @param records - The records, header first, as `parseTranscript` returns them.
 * @returns The session's snapshot.
 * @throws GemmaCoderError `invalid-argument` when the records do not start with a
 *   session header or the request history cannot be rebuilt.
 */
export function rebuildSession(records: readonly TranscriptRecord[]): SessionSnapshot {
  const header = records[0];
  if (header?.type !== "session") {
    throw damaged("it does not start with a session header.");
  }
  const runs = new Map<string, SessionRunInfo>();
  let history: ChatMessage[] = [];
  let lastRequest: RequestRecord | undefined;
  let reply: ReplyRecord | undefined;
  let call: ToolCallRecord | undefined;
  let approval: ApprovalRecord | undefined;
  let result: ToolResultRecord | undefined;
  let lastStep = 0;
  let lastRun: SessionRunInfo | undefined;
  let updatedAt = header.time;
  const sameTurn = (record: { runId: string; step: number }) =>
    lastRequest !== undefined &&
    record.runId === lastRequest.runId &&
    record.step === lastRequest.step;

  for (const record of records) {
    updatedAt = Math.max(updatedAt, record.time);
    switch (record.type) {
      case "run-start": {
        lastRun = startRun(record);
        runs.set(record.runId, lastRun);
        lastStep = Math.max(lastStep, record.firstStep);
        break;
      }
      case "request": {
        if (record.base > history.length) {
          throw damaged(
            `the request of step ${record.step} builds on ${record.base} earlier messages, but only ${history.length} were recorded before it.`,
          );
        }
        history = [...history.slice(0, record.base), ...record.messages];
        if (history.length !== record.count) {
          throw damaged(
            `the request of step ${record.step} should carry ${record.count} messages but rebuilds to ${history.length}.`,
          );
        }
        lastRequest = record;
        reply = undefined;
        call = undefined;
        approval = undefined;
        result = undefined;
        lastStep = Math.max(lastStep, record.step);
        const run = runs.get(record.runId);
        if (run) run.lastStep = Math.max(run.lastStep, record.step);
        break;
      }
      case "reply":
        if (record.purpose === "turn" && sameTurn(record)) reply = record;
        break;
      case "tool-call":
        if (sameTurn(record)) call = record;
        break;
      case "approval":
        if (sameTurn(record)) approval = record;
        break;
      case "tool-result":
        if (sameTurn(record)) result = record;
        break;
      case "run-end": {
        const run = runs.get(record.runId);
        if (run) {
          run.status = record.status;
          run.stopReason = record.stopReason;
          run.endedAt = record.time;
          run.lastStep = Math.max(run.lastStep, record.steps);
          if (record.summary !== undefined) run.summary = record.summary;
        }
        break;
      }
      default:
        break;
    }
  }

  const messages = [...history];
  let interruptedCall: InterruptedCall | undefined;
  if (lastRequest && reply && call) {
    const settings = runs.get(lastRequest.runId)?.settings;
    // The same messages the loop appended: a native call goes back as that call.
    messages.push(assistantTurnMessage(reply.text, true, undefined, call.native));
    // A call that waited for an answer it never got did not run.
    const state =
      call.approval === "pending" && approval === undefined ? "awaiting-approval" : "running";
    const unfinished = state === "running" ? INTERRUPTED_CALL_ERROR : UNAPPROVED_CALL_ERROR;
    const toolResult = result?.result ?? { ok: false as const, error: unfinished };
    const maxChars = settings?.maxResultChars ?? DEFAULT_MAX_RESULT_CHARS;
    messages.push(toolResultMessage(formatToolResult(toolResult, { maxChars }), call.native));
    if (!result) {
      interruptedCall = {
        runId: call.runId,
        step: call.step,
        name: call.name,
        args: call.args,
        state,
      };
    }
  }

  const allRuns = [...runs.values()];
  const first = allRuns[0];
  return {
    sessionId: header.sessionId,
    createdAt: header.time,
    updatedAt,
    ...(header.workspace === undefined ? {} : { workspace: header.workspace }),
    ...(first === undefined ? {} : { task: first.task }),
    runs: allRuns,
    status: lastRun?.status ?? "empty",
    lastStep,
    requestHistory: history,
    ...(lastRequest === undefined
      ? {}
      : {
          lastRequest: {
            runId: lastRequest.runId,
            step: lastRequest.step,
            hash: lastRequest.hash,
          },
        }),
    messages,
    ...(interruptedCall === undefined ? {} : { interruptedCall }),
  };
}

function startRun(record: RunStartRecord): SessionRunInfo {
  return {
    runId: record.runId,
    task: record.task,
    ...(record.resumeOf === undefined ? {} : { resumeOf: record.resumeOf }),
    startedAt: record.time,
    status: "interrupted",
    lastStep: record.firstStep,
    provider: record.provider,
    ...(record.model === undefined ? {} : { model: record.model }),
    settings: record.settings,
  };
}
