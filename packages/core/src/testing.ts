export type {
  Script,
  ScriptedModel,
  ScriptedModelOptions,
  ScriptedReply,
} from "./testing/scripted-model.js";
export { createScriptedModel, toolCall } from "./testing/scripted-model.js";
