/**
 * Internals shared by the gemma-coder packages (`@gemma-coder/providers`, `tools`,
 * `embedded`, `sessions`, `cli`): abort plumbing, the constrained-decoding planner, and the
 * transcript format's readers and writers.
 *
 * **Not part of the semver contract.** Anything here may change or go away in any
 * release, patch releases included; the gemma-coder packages are released together and
 * pin each other, so they stay in step. Applications and third-party providers should use
 * the root entry, `@gemma-coder/core`, whose exports are the public API.
 *
 * @packageDocumentation
 */
export type {
  PlanToolCallConstraintOptions,
  ToolCallConstraintPlan,
} from "./constrained/plan-tool-call-constraint.js";
export { planToolCallConstraint } from "./constrained/plan-tool-call-constraint.js";
export { abortError, untilAborted } from "./errors/gemma-coder-error.js";
export { hashMessages, renderMessages } from "./session/hash-messages.js";
export { formatTranscriptLine, parseTranscript } from "./session/parse-transcript.js";
export type {
  InterruptedCall,
  SessionRunInfo,
  SessionRunStatus,
  SessionSnapshot,
} from "./session/rebuild-session.js";
export { rebuildSession } from "./session/rebuild-session.js";
export { sessionHeaderRecord } from "./session/session-store.js";
export type {
  ApprovalRecord,
  ContextRecord,
  InvalidReplyRecord,
  NoticeRecord,
  ReplyRecord,
  RequestRecord,
  RunEndRecord,
  RunSettings,
  RunStartRecord,
  SessionHeaderRecord,
  ToolCallRecord,
  ToolResultRecord,
  TranscriptRecordBase,
  TranscriptRecordType,
} from "./session/transcript-record.js";
