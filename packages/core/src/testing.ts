export type {
  RecordedToolCall,
  ReplayModel,
  ReplayModelOptions,
  TranscriptSource,
} from "./testing/replay-model.js";
export { createReplayModel, recordedToolCalls } from "./testing/replay-model.js";
export type {
  Script,
  ScriptedModel,
  ScriptedModelOptions,
  ScriptedReply,
} from "./testing/scripted-model.js";
export { createScriptedModel, toolCall, toolCallText } from "./testing/scripted-model.js";
