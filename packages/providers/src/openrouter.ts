/**
 * The OpenRouter provider: `import { createOpenRouter } from "@gemma-coder/providers/openrouter"`.
 *
 * @packageDocumentation
 */

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
