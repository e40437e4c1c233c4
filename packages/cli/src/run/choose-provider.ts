import type { ModelProvider } from "@gemma-coder/core";
import { modelsDir } from "../cache-dir.js";
import type { ProviderName } from "../config/config-file.js";
import { bindApiKey } from "../config/key-binding.js";
import type { Settings } from "../config/resolve-settings.js";
import { stripControls } from "../render/describe-call.js";
import type { Invocation } from "./invocation.js";

/** A backend ready for the agent, with what to tell the user about it. */
export interface ChosenProvider {
  provider: ModelProvider;
  /** The backend and model, for the header line. */
  label: string;
  /** Notes to show before the run. */
  notes: string[];
  /** The context window the backend reported, if any. */
  contextWindow?: number;
}

/** What backend detection picked when none was named: the name, model, URL and why. */
interface Detected {
  name: ProviderName;
  model: string | undefined;
  baseUrl: string | undefined;
  how: string;
  notes: string[];
}

/**
 * Picks a backend when none is named: Ollama, a llama.cpp server, OpenRouter with a key,
 * else the embedded engine.
 */
async function detectProvider(inv: Invocation, settings: Settings): Promise<Detected> {
  const signal = inv.signal;
  const { detectBackends } = await import("../detect.js");
  const { resolveOllamaHost, OLLAMA_DEFAULT_MODEL } = await import("@gemma-coder/providers/ollama");
  const detection = await detectBackends({
    ollamaUrl: settings.baseUrl ?? resolveOllamaHost(inv.io.env.OLLAMA_HOST),
    llamaCppUrl: settings.baseUrl ?? "http://127.0.0.1:8080",
    openRouterKey: settings.apiKey,
    modelsDir: modelsDir(inv.io.env),
    model: settings.model,
    ollamaDefaultModel: OLLAMA_DEFAULT_MODEL,
    signal,
  });
  if (signal.aborted) throw signal.reason;
  const notes = [...detection.notes];
  const picked = detection.picked;
  if (picked) {
    return {
      name: picked.provider,
      model: picked.model ?? settings.model,
      baseUrl: picked.baseUrl ?? settings.baseUrl,
      how: `found ${picked.description}; choose with --provider or a config file`,
      notes,
    };
  }
  for (const note of notes.splice(0)) inv.report.note(note);
  return {
    name: "embedded",
    model: settings.model,
    baseUrl: settings.baseUrl,
    how: "nothing else was found",
    notes,
  };
}

/** Opens an HTTP backend; the API key goes only to the host it was configured for. */
async function openHttpProvider(
  inv: Invocation,
  settings: Settings,
  chosen: {
    name: Exclude<ProviderName, "embedded">;
    model: string | undefined;
    baseUrl: string | undefined;
  },
): Promise<ChosenProvider> {
  const { name, model, baseUrl } = chosen;
  const { createProvider } = await import("../providers.js");
  const finalBaseUrl =
    name === "openrouter" && settings.sources.baseUrl === "OLLAMA_HOST" ? undefined : baseUrl;
  // A key goes only to the host it was configured for. A base URL no layer set is the
  // provider's default (detection probes the default address when none is set).
  const configured = finalBaseUrl !== undefined && finalBaseUrl === settings.baseUrl;
  const bound = configured
    ? bindApiKey(settings, name, finalBaseUrl, settings.sources.baseUrl)
    : bindApiKey(settings, name, undefined, undefined);
  if (bound.withheld) inv.report.warn(bound.withheld);
  return createProvider(
    {
      provider: name,
      model,
      baseUrl: finalBaseUrl,
      apiKey: bound.apiKey,
      contextWindow: settings.contextWindow,
    },
    { env: inv.io.env, signal: inv.signal },
  );
}

/**
 * Chooses and opens the model backend: the one the settings name, else the one detection
 * finds; then prints the header line (backend, model, why, workspace). Also used by
 * `gemma-coder acp`, which picks the backend the same way.
 *
 * @param inv - The invocation.
 * @param settings - The resolved settings.
 * @returns The provider and what to tell the user.
 */
export async function chooseProvider(inv: Invocation, settings: Settings): Promise<ChosenProvider> {
  const { io, errColors } = inv;
  const detected: Detected = settings.provider
    ? {
        name: settings.provider,
        model: settings.model,
        baseUrl: settings.baseUrl,
        how: `from ${settings.sources.provider}`,
        notes: [],
      }
    : await detectProvider(inv, settings);
  let ready: ChosenProvider;
  if (detected.name === "embedded") {
    const { createEmbeddedProvider } = await import("../embedded.js");
    ready = await createEmbeddedProvider(detected.model, modelsDir(io.env), {
      ask: inv.prompter.interactive ? inv.prompter.ask : undefined,
      allowDownload: inv.args.download,
      stderr: io.stderr,
      signal: inv.signal,
      onLoadStatus: (text) => inv.view?.setStatus(text),
      contextSize: settings.contextWindow,
      threads: settings.threads,
    });
  } else {
    ready = await openHttpProvider(inv, settings, { ...detected, name: detected.name });
  }
  io.stderr.write(
    `${errColors.dim("gemma-coder ·")} ${errColors.bold(stripControls(ready.label))} ${errColors.dim(`(${detected.how}) · ${inv.workspace}`)}\n`,
  );
  return { ...ready, notes: [...detected.notes, ...ready.notes] };
}
