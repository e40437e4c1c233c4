import type { Settings } from "./resolve-settings.js";

/** The key to send, or why none is sent. */
export interface BoundKey {
  /** The key, when it may go to the chosen host. */
  apiKey?: string;
  /** Why a configured key is held back, for the user. */
  withheld?: string;
}

/**
 * Decides whether the configured API key may go to the host requests are sent to. A key
 * is only ever sent to the host it was configured for:
 *
 * - `OPENROUTER_API_KEY` goes to OpenRouter only: its official host, or a base URL the
 *   user set (a flag, the environment, the user config or a trusted project config;
 *   an untrusted project's base URL never reaches this point).
 * - The user config's `apiKey` goes to the base URL of that same file, or to the
 *   provider's default host when that file sets none, never to another host set elsewhere.
 *
 * @param settings - The resolved settings.
 * @param provider - The backend that will be used.
 * @param baseUrl - The base URL a settings layer chose, `undefined` for the provider's default host.
 * @param baseUrlSource - Which layer chose it (a flag, a variable, a file path).
 * @returns The key to send, or the reason it is held back.
 */
export function bindApiKey(
  settings: Settings,
  provider: string,
  baseUrl: string | undefined,
  baseUrlSource: string | undefined,
): BoundKey {
  const key = settings.apiKey;
  const source = settings.sources.apiKey;
  if (key === undefined || source === undefined) return {};
  if (source === "OPENROUTER_API_KEY") {
    if (provider !== "openrouter") return {};
    if (baseUrl === undefined || baseUrlSource !== "OLLAMA_HOST") return { apiKey: key };
    return {};
  }
  if (baseUrl === undefined || baseUrlSource === source) return { apiKey: key };
  // The same host, named again by a flag or the environment, is still that file's host.
  const keyFile = settings.files.find((file) => file.path === source);
  if (keyFile?.config.baseUrl?.replace(/\/+$/, "") === baseUrl) return { apiKey: key };
  return {
    withheld: `The apiKey in ${source} is not sent to ${baseUrl} (set by ${baseUrlSource ?? "an unknown source"}): a key goes only to the host it was configured for. Put that host's baseUrl in the same file as the key to send it there.`,
  };
}
