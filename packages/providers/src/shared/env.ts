/** Environment variables as a provider reads them (`process.env` on Node). */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The old name of {@link Environment}.
 *
 * @deprecated Use {@link Environment} (public names are whole words). Removed in the next minor release.
 */
export type Env = Environment;

/**
 * The process environment where there is one (Node), else an empty object, so the
 * providers also load in runtimes without `process`.
 *
 * @returns The environment.
 */
export function processEnv(): Environment {
  const candidate = (globalThis as { process?: { env?: Environment } }).process;
  return candidate?.env ?? {};
}
