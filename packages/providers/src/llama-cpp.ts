/**
 * The llama.cpp server provider: `import { createLlamaCpp } from "@gemma-coder/providers/llama-cpp"`.
 *
 * @packageDocumentation
 */

export type {
  ChatTemplateFamily,
  RenderedPrompt,
  RenderOptions,
} from "./llama-cpp/chat-template.js";
export { detectChatTemplate, renderChatPrompt } from "./llama-cpp/chat-template.js";
export type { TruncationPolicy } from "./llama-cpp/completion-decoder.js";
export type {
  LlamaCppOptions,
  LlamaCppProps,
  LlamaCppProvider,
} from "./llama-cpp/llama-cpp-provider.js";
export { createLlamaCpp, LLAMA_CPP_DEFAULT_URL } from "./llama-cpp/llama-cpp-provider.js";
export type {
  FetchFunction,
  FetchInit,
  FetchResponse,
  HealthStatus,
  HttpProviderOptions,
  ModelInfo,
  RetryOptions,
  SleepFunction,
  TimeoutOptions,
} from "./shared/public-types.js";
