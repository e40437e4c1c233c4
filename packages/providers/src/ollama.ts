/**
 * The Ollama provider: `import { createOllama } from "@gemma-coder/providers/ollama"`.
 *
 * @packageDocumentation
 */

export { OLLAMA_DEFAULT_URL, resolveOllamaHost } from "./ollama/ollama-host.js";
export type { OllamaOptions, OllamaProvider } from "./ollama/ollama-provider.js";
export {
  createOllama,
  OLLAMA_DEFAULT_MODEL,
  OLLAMA_DEFAULT_NUM_CTX,
  trainedContextLength,
} from "./ollama/ollama-provider.js";
export { pickOllamaModel } from "./ollama/pick-ollama-model.js";
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
