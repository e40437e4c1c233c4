export type { AgentOptions, ResumeOptions, RunOptions } from "./agent/agent.js";
export { Agent } from "./agent/agent.js";
export type {
  ApprovalDecision,
  ApprovalHandler,
  ApprovalRequest,
} from "./agent/approve-call.js";
export { askApproval } from "./agent/approve-call.js";
export type {
  AgentEvent,
  AgentEventMap,
  AgentEventName,
  AgentListeners,
  AgentState,
  RunResult,
  RunUsage,
  StopReason,
} from "./agent/events.js";
export type { AgentProtocol } from "./agent/protocol-plan.js";
export type { RepoMapRequest, RepoMapSource } from "./agent/repo-map-prompt.js";
export { repoMapBudget } from "./agent/repo-map-prompt.js";
export type { SystemPromptOptions } from "./agent/system-prompt.js";
export { buildSystemPrompt } from "./agent/system-prompt.js";
export type { TurnRetryOptions } from "./agent/turn-retry.js";
export type {
  GbnfBuildOptions,
  JsonSchemaToGbnfOptions,
} from "./constrained/json-schema-to-gbnf.js";
export {
  DEFAULT_LONG_STRING_PROPERTIES,
  DEFAULT_MAX_ARRAY_ITEMS,
  DEFAULT_MAX_LONG_STRING_CHARS,
  DEFAULT_MAX_STRING_CHARS,
  jsonSchemaToGbnf,
} from "./constrained/json-schema-to-gbnf.js";
export type { ConstrainedDecodingMode } from "./constrained/plan-tool-call-constraint.js";
export type { ToolCallGrammarOptions } from "./constrained/tool-call-grammar.js";
export { buildToolCallGrammar } from "./constrained/tool-call-grammar.js";
export {
  buildToolCallJsonSchema,
  JSON_ONLY_PROTOCOL,
} from "./constrained/tool-call-json-schema.js";
export { estimateTokens } from "./context/estimate-tokens.js";
export type { ErrorCode, GemmaCoderErrorOptions } from "./errors/gemma-coder-error.js";
export { GemmaCoderError, ToolError } from "./errors/gemma-coder-error.js";
export type { ParseReplyOptions, ParseResult, ToolCall } from "./protocol/parse-reply.js";
export { parseReply } from "./protocol/parse-reply.js";
export { ProseFilter } from "./protocol/prose-filter.js";
export type { ReplyStream, ReplyStreamOptions } from "./protocol/reply-stream.js";
export { createReplyStream } from "./protocol/reply-stream.js";
export type {
  Spiral,
  SpiralDetector,
  SpiralDetectorOptions,
  SpiralKind,
} from "./protocol/spiral-detector.js";
export { createSpiralDetector, SPIRAL_NUDGE } from "./protocol/spiral-detector.js";
export { THINKING_TAGS } from "./protocol/tags.js";
export type {
  FormatToolResultOptions,
  ToolFailure,
  ToolResult,
  ToolSuccess,
} from "./protocol/tool-result.js";
export {
  DEFAULT_MAX_RESULT_CHARS,
  formatToolResult,
  truncateMiddle,
} from "./protocol/tool-result.js";
export type {
  ChatMessage,
  ChatRequest,
  DecodingConstraint,
  FinishPart,
  FinishReason,
  ModelProvider,
  NativeToolCall,
  NativeToolCallRef,
  NoticePart,
  ProviderCapabilities,
  ReplyTokens,
  StreamPart,
  TextDeltaPart,
  ToolCallPart,
  ToolDefinition,
  Usage,
} from "./provider/provider.js";
export { DEFAULT_RULES } from "./rules/default-rules.js";
export type {
  LoadRulebookOptions,
  Rulebook,
  RulebookHost,
  RulebookReadLimits,
} from "./rules/load-rulebook.js";
export {
  DEFAULT_RULEBOOK_MAX_CHARS,
  loadRulebook,
  RULEBOOK_FILE_NAMES,
} from "./rules/load-rulebook.js";
export type {
  Checkpointer,
  FileChange,
  UndoConflict,
  UndoOptions,
  UndoResult,
} from "./session/checkpointer.js";
export type { MemorySessionStore } from "./session/memory-session-store.js";
export { createMemorySessionStore } from "./session/memory-session-store.js";
export type { LoadedSession, NewSessionInfo, SessionStore } from "./session/session-store.js";
export type { TranscriptRecord } from "./session/transcript-record.js";
export { TRANSCRIPT_FORMAT, TRANSCRIPT_VERSION } from "./session/transcript-record.js";
export type { AnyTool, Tool, ToolContext } from "./tools/define-tool.js";
export { defineTool } from "./tools/define-tool.js";
export { describeTool, toolInputJsonSchema } from "./tools/describe-tool.js";
export type { DoneInput } from "./tools/done-tool.js";
export { DONE_TOOL_NAME, doneTool } from "./tools/done-tool.js";
