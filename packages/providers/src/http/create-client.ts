import type { DescribeHttpError } from "./errors.js";
import { HttpClient } from "./http-client.js";
import { type HttpProviderOptions, resolveRetry, resolveTimeouts } from "./options.js";
import type { DecideRetry } from "./retry.js";
import { defaultSleep } from "./sleep.js";

/**
 * Builds a provider's {@link HttpClient} from the common options and the provider's
 * own defaults.
 *
 * @param options - What the caller passed.
 * @param provider - The provider's defaults and hooks.
 * @returns The client.
 */
export function createHttpClient(
  options: HttpProviderOptions,
  provider: {
    id: string;
    baseUrl: string;
    headers?: () => Record<string, string>;
    describeError?: DescribeHttpError;
    connectionHint?: string;
    decideRetry?: DecideRetry;
  },
): HttpClient {
  const extraHeaders = { ...options.headers };
  const config: ConstructorParameters<typeof HttpClient>[0] = {
    provider: provider.id,
    baseUrl: provider.baseUrl,
    headers: () => ({ ...provider.headers?.(), ...extraHeaders }),
    timeouts: resolveTimeouts(options.timeouts),
    retry: resolveRetry(options.retry),
    sleep: options.sleep ?? defaultSleep,
    random: options.random ?? Math.random,
  };
  if (options.fetch) config.fetch = options.fetch;
  if (options.dispatcher) config.dispatcher = options.dispatcher;
  if (provider.describeError) config.describeError = provider.describeError;
  if (provider.connectionHint) config.connectionHint = provider.connectionHint;
  if (provider.decideRetry) config.decideRetry = provider.decideRetry;
  return new HttpClient(config);
}
