export type { ErrorCode, GemmaCoderErrorOptions } from "./errors/gemma-coder-error.js";
export { GemmaCoderError, ToolError, abortError } from "./errors/gemma-coder-error.js";
export type {
  ChatMessage,
  ChatRequest,
  DecodingConstraint,
  FinishPart,
  FinishReason,
  ModelProvider,
  NoticePart,
  ProviderCapabilities,
  StreamPart,
  TextDeltaPart,
  Usage,
} from "./provider/provider.js";
export type { AnyTool, Tool, ToolContext } from "./tools/define-tool.js";
export { defineTool } from "./tools/define-tool.js";
export { describeTool, toolInputJsonSchema } from "./tools/describe-tool.js";
export { DONE_TOOL_NAME, doneTool } from "./tools/done-tool.js";
