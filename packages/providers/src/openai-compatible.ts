/**
 * A provider for any OpenAI-compatible server (LM Studio, vLLM, ...):
 * `import { createOpenAICompatible } from "@gemma-coder/providers/openai-compatible"`.
 *
 * @packageDocumentation
 */

export type {
  OpenAICompatibleOptions,
  OpenAICompatibleProvider,
} from "./openai-compatible/openai-compatible-provider.js";
export { createOpenAICompatible } from "./openai-compatible/openai-compatible-provider.js";
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
