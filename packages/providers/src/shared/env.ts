/** Environment variables as a provider reads them. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The process environment where there is one (Node), else an empty object, so the
 * providers also load in runtimes without `process`.
 *
 * @returns The environment.
 */
export function processEnv(): Env {
  const candidate = (globalThis as { process?: { env?: Env } }).process;
  return candidate?.env ?? {};
}
