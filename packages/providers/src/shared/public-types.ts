export type {
  FetchFunction,
  FetchInit,
  FetchResponse,
  HttpProviderOptions,
  RetryOptions,
  SleepFunction,
  TimeoutOptions,
} from "../http/options.js";
export type { Env, Environment } from "./env.js";
export type { HealthStatus, ModelInfo } from "./model-info.js";
