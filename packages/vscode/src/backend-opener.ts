import { defaultCacheDir } from "@gemma-coder/embedded";
import type { FetchFunction } from "@gemma-coder/providers";
import type * as vscode from "vscode";
import { detectBackends } from "./detect-backends.js";
import { type OpenedBackend, openBackend } from "./open-provider.js";
import type { ExtensionSettings } from "./settings.js";

/** Where the OpenRouter key is kept in VS Code's secret storage. */
export const OPENROUTER_KEY_SECRET = "gemmaCoder.openRouterKey";

/**
 * The fetch every model request goes through: the extension host's own. Nothing else in
 * the extension talks to the network.
 */
export const hostFetch: FetchFunction = (url, init) =>
  globalThis.fetch(url, init) as ReturnType<FetchFunction>;

/**
 * Runs detection with the settings' address and model, the stored OpenRouter key and
 * the embedded engine's model cache.
 *
 * @param settings - The settings.
 * @param secrets - The secret storage.
 * @returns What was found.
 */
export async function detectWith(settings: ExtensionSettings, secrets: vscode.SecretStorage) {
  const key = await secrets.get(OPENROUTER_KEY_SECRET);
  return detectBackends({
    baseUrl: settings.baseUrl,
    model: settings.model,
    hasOpenRouterKey: Boolean(key),
    modelsDir: defaultCacheDir(),
    fetch: hostFetch,
  });
}

/**
 * The run controller's backend opener: detection and the OpenRouter key from the secret
 * storage, then {@link openBackend}.
 *
 * @param secrets - The secret storage.
 * @param log - Writes a line to the log.
 * @returns The opener.
 */
export function backendOpener(
  secrets: vscode.SecretStorage,
  log: (line: string) => void,
): (settings: ExtensionSettings) => Promise<OpenedBackend> {
  return async (settings) => {
    const opened = await openBackend(settings, {
      fetch: hostFetch,
      openRouterKey: await secrets.get(OPENROUTER_KEY_SECRET),
      detect: () => detectWith(settings, secrets),
    });
    log(`backend: ${opened.label}`);
    return opened;
  };
}
