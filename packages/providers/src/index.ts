/**
 * HTTP model providers for gemma-coder: Ollama, OpenRouter, llama.cpp server and any
 * OpenAI-compatible server. Each is also available alone from its subpath
 * (`@gemma-coder/providers/ollama`, ...).
 *
 * @packageDocumentation
 */
export { DEFAULT_RETRY, DEFAULT_TIMEOUTS } from "./http/options.js";
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
export { OLLAMA_DEFAULT_URL, resolveOllamaHost } from "./ollama/ollama-host.js";
export type { OllamaOptions, OllamaProvider } from "./ollama/ollama-provider.js";
export {
  createOllama,
  OLLAMA_DEFAULT_MODEL,
  OLLAMA_DEFAULT_NUM_CTX,
} from "./ollama/ollama-provider.js";
export { pickOllamaModel } from "./ollama/pick-ollama-model.js";
export type {
  OpenAICompatibleOptions,
  OpenAICompatibleProvider,
} from "./openai-compatible/openai-compatible-provider.js";
export { createOpenAICompatible } from "./openai-compatible/openai-compatible-provider.js";
export type { OpenRouterOptions, OpenRouterProvider } from "./openrouter/openrouter-provider.js";
export {
  createOpenRouter,
  OPENROUTER_BASE_URL,
  OPENROUTER_DEFAULT_MODEL,
  OPENROUTER_FALLBACK_MODEL,
} from "./openrouter/openrouter-provider.js";
export type {
  Env,
  Environment,
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
export { DEFAULT_STOP } from "./shared/stop.js";
