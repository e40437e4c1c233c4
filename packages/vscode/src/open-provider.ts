import { GemmaCoderError, type ModelProvider } from "@gemma-coder/core";
import {
  createLlamaCpp,
  createOllama,
  createOpenAICompatible,
  createOpenRouter,
  type FetchFunction,
  LLAMA_CPP_DEFAULT_URL,
  OLLAMA_DEFAULT_URL,
} from "@gemma-coder/providers";
import { type BackendChoice, llamaServerCommand } from "./backend-choice.js";
import type { Detection } from "./detect-backends.js";
import type { ExtensionSettings } from "./settings.js";

/** A backend that failed its check before the run, with what to do about it. */
export class BackendError extends GemmaCoderError {
  /** What the person can do, in a sentence or two (start a server, change a setting). */
  readonly fix: string;

  /**
   * @param message - What went wrong, naming the backend and its address.
   * @param fix - What to do about it.
   * @param code - The error code.
   */
  constructor(
    message: string,
    fix: string,
    code: "provider-connection" | "model-not-found" | "provider-auth" | "config",
  ) {
    super(message, { code });
    this.name = "BackendError";
    this.fix = fix;
  }
}

const PICK = "or pick another backend with “gemma-coder: Pick Provider and Model”";
const START_OLLAMA =
  "Start Ollama with `ollama serve` (install it from https://ollama.com) and pull a model (`ollama pull gemma4:e4b`)";
const START_LLAMA = `start llama.cpp's server (\`${llamaServerCommand("model.gguf")}\`)`;

/** A provider ready for a run, and how to name it. */
export interface OpenedBackend {
  /** The provider for the agent. */
  provider: ModelProvider;
  /** The backend and model, for the status item: `ollama gemma4:e4b`. */
  label: string;
}

/** What {@link openBackend} needs besides the settings. */
export interface OpenBackendOptions {
  /** The fetch every request goes through. */
  fetch: FetchFunction;
  /** The OpenRouter key from the secret storage, if one is stored. */
  openRouterKey: string | undefined;
  /** Runs detection (for `auto`, and for Ollama's model list). */
  detect: () => Promise<Detection>;
}

/**
 * The error for "nothing answers at this address", naming the address and how to start
 * a server there or change `gemmaCoder.baseUrl`.
 *
 * @param provider - The backend that was looked for (`auto`: any).
 * @param baseUrl - The address that did not answer.
 * @returns The error.
 */
export function backendDown(provider: string, baseUrl: string | undefined): BackendError {
  if (provider === "llama-cpp" || provider === "openai-compatible") {
    const url = baseUrl ?? LLAMA_CPP_DEFAULT_URL;
    return new BackendError(
      `Cannot reach the model server at ${url}: nothing answered.`,
      `Start your server there (for llama.cpp: ${START_LLAMA.slice(6)}), or set gemmaCoder.baseUrl to the address it listens on, ${PICK}.`,
      "provider-connection",
    );
  }
  if (provider === "ollama") {
    const url = baseUrl ?? OLLAMA_DEFAULT_URL;
    return new BackendError(
      `Cannot reach Ollama at ${url}: nothing answered.`,
      `${START_OLLAMA}, or set gemmaCoder.baseUrl to the address it listens on, ${PICK}.`,
      "provider-connection",
    );
  }
  const where =
    baseUrl ?? `${OLLAMA_DEFAULT_URL} (Ollama) or ${LLAMA_CPP_DEFAULT_URL} (llama-server)`;
  return new BackendError(
    `No model backend answered at ${where}, and no OpenRouter key or downloaded model was found.`,
    `${START_OLLAMA}, or ${START_LLAMA}; or set gemmaCoder.baseUrl to where your server listens, ${PICK}.`,
    "provider-connection",
  );
}

/** The choice the settings make, or detection's pick for `auto`. */
async function chooseBackend(
  settings: ExtensionSettings,
  options: OpenBackendOptions,
): Promise<BackendChoice> {
  if (settings.provider !== "auto" && settings.provider !== "ollama") {
    return {
      provider: settings.provider,
      model: settings.model,
      baseUrl: settings.baseUrl,
      label: settings.provider,
    };
  }
  const detection = await options.detect();
  if (settings.provider === "auto") {
    if (detection.picked) return detection.picked;
    throw backendDown("auto", settings.baseUrl);
  }
  // Down, or up: the model list tells which, and which model to use.
  if (!detection.ollama) throw backendDown("ollama", settings.baseUrl);
  if (detection.ollama.pick) return detection.ollama.pick;
  const url = settings.baseUrl ?? OLLAMA_DEFAULT_URL;
  const names = detection.ollama.models;
  if (settings.model === undefined) {
    throw new BackendError(
      `Ollama at ${url} has no chat model yet.`,
      "Pull one with `ollama pull gemma4:e4b` (or gemma4:e2b on a small machine).",
      "model-not-found",
    );
  }
  throw new BackendError(
    `Ollama at ${url} does not have the model ${settings.model}.`,
    `Pull it with \`ollama pull ${settings.model}\`${names.length > 0 ? `, or set gemmaCoder.model to one it has: ${names.slice(0, 8).join(", ")}` : ""}.`,
    "model-not-found",
  );
}

/**
 * Chooses the backend (the settings' provider, or detection's pick for `auto`), checks
 * it can work, and builds the provider. Every failure is a {@link BackendError} whose
 * `fix` says what to do. The GGUF choice is not run in process (see the README): its
 * error gives the llama-server command that serves the file.
 *
 * @param settings - The `gemmaCoder.*` settings.
 * @param options - Fetch, the OpenRouter key and detection.
 * @returns The provider and its label.
 */
export async function openBackend(
  settings: ExtensionSettings,
  options: OpenBackendOptions,
): Promise<OpenedBackend> {
  const choice = await chooseBackend(settings, options);
  const { fetch } = options;
  const model = choice.model ?? settings.model;
  switch (choice.provider) {
    case "ollama": {
      const baseUrl = choice.baseUrl ?? OLLAMA_DEFAULT_URL;
      const numCtx = settings.contextWindow === undefined ? {} : { numCtx: settings.contextWindow };
      const provider = createOllama({
        fetch,
        baseUrl,
        env: {},
        ...(model ? { model } : {}),
        ...numCtx,
      });
      return { provider, label: `ollama ${provider.model}` };
    }
    case "llama-cpp": {
      const baseUrl = choice.baseUrl ?? LLAMA_CPP_DEFAULT_URL;
      const provider = createLlamaCpp({ fetch, baseUrl, ...(model ? { model } : {}) });
      const health = await provider.health();
      if (!health.ok && health.status !== "loading") throw backendDown("llama-cpp", choice.baseUrl);
      return { provider, label: `llama-server at ${baseUrl}` };
    }
    case "openai-compatible": {
      if (!choice.baseUrl) {
        throw new BackendError(
          "The openai-compatible backend needs an address, and gemmaCoder.baseUrl is empty.",
          "Set gemmaCoder.baseUrl to your server's address (e.g. http://127.0.0.1:8000/v1).",
          "config",
        );
      }
      const provider = createOpenAICompatible({
        fetch,
        baseUrl: choice.baseUrl,
        ...(model ? { model } : {}),
      });
      return { provider, label: `${model ?? "model"} at ${choice.baseUrl}` };
    }
    case "openrouter": {
      if (!options.openRouterKey) {
        throw new BackendError(
          "OpenRouter needs an API key, and none is stored.",
          `Store one with “gemma-coder: Set the OpenRouter API Key” (create it at https://openrouter.ai/keys), ${PICK}.`,
          "provider-auth",
        );
      }
      const provider = createOpenRouter({
        fetch,
        apiKey: options.openRouterKey,
        env: {},
        ...(model ? { model } : {}),
      });
      return { provider, label: `openrouter ${provider.model}` };
    }
    case "embedded":
      throw new BackendError(
        "The VS Code extension does not run GGUF models inside the editor (the in-process engine is native code that is not bundled).",
        `Serve the model with llama.cpp's server: \`${llamaServerCommand(model ?? "model.gguf")}\`, then pick llama.cpp (or set gemmaCoder.provider to llama-cpp).`,
        "config",
      );
  }
}
