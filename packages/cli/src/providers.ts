import { GemmaCoderError, type ModelProvider } from "@gemma-coder/core";
import type { ProviderName } from "./config/config-file.js";
import type { Env } from "./config/resolve-settings.js";
import { ollamaModelNames, pickOllamaModel } from "./detect.js";
import { nodeFetch } from "./node-fetch.js";
import { probe, probeJson } from "./probe.js";

/** Which backend to build, and with what. */
export interface ProviderChoice {
  /** A server backend; the embedded engine is set up by `createEmbeddedProvider`. */
  provider: Exclude<ProviderName, "embedded">;
  model?: string | undefined;
  baseUrl?: string | undefined;
  apiKey?: string | undefined;
  contextWindow?: number | undefined;
}

/** A provider that passed its pre-flight check. */
export interface ReadyProvider {
  /** The provider for the agent. */
  provider: ModelProvider;
  /** What is used, for the "using ..." line: `ollama gemma4:e4b at http://127.0.0.1:11434`. */
  label: string;
  /** Things worth saying before the run (a server still loading, a model picked for you). */
  notes: string[];
  /** The context window to use when the one asked for was lowered to what the model supports. */
  contextWindow?: number;
}

/** Options of {@link createProvider}. */
export interface CreateProviderOptions {
  /** The environment (`OLLAMA_HOST`, `OPENROUTER_API_KEY`). */
  env: Env;
  /** Cancels the pre-flight check. */
  signal?: AbortSignal | undefined;
  /** The pre-flight check's deadline. Default 5 s. */
  timeoutMs?: number;
}

/** A setting whose fix belongs in the configuration: exit code 2. */
function configError(
  message: string,
  code: "config" | "provider-connection" | "model-not-found" | "provider-auth",
  provider: string,
): GemmaCoderError {
  return new GemmaCoderError(message, { code, provider });
}

function unreachable(name: string, url: string, error: string | undefined, howToStart: string) {
  const why = error === "timeout" ? "it did not answer in time" : (error ?? "no answer");
  return configError(
    `Cannot reach ${name} at ${url} (${why}). ${howToStart}`,
    "provider-connection",
    name,
  );
}

// long-function: one branch per HTTP backend, each with its own defaults and key binding
/**
 * Builds the chosen provider, importing only that provider's module, and checks it can
 * work before the run starts: the server answers, the model is there, the key is set.
 * Every failure is a {@link GemmaCoderError} whose message says what to do; the CLI
 * exits with code 2 on it.
 *
 * @param choice - The backend and its settings.
 * @param options - Environment, signal and deadline.
 * @returns The provider and how to describe it.
 */
export async function createProvider(
  choice: ProviderChoice,
  options: CreateProviderOptions,
): Promise<ReadyProvider> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const probeOptions = options.signal ? { timeoutMs, signal: options.signal } : { timeoutMs };
  switch (choice.provider) {
    case "ollama": {
      const { createOllama, resolveOllamaHost, OLLAMA_DEFAULT_MODEL } = await import(
        "@gemma-coder/providers/ollama"
      );
      const baseUrl = choice.baseUrl ?? resolveOllamaHost(options.env.OLLAMA_HOST);
      const tags = await probe(`${baseUrl}/api/tags`, probeOptions);
      if (!tags.reachable) {
        throw unreachable(
          "ollama",
          baseUrl,
          tags.error,
          "Is Ollama running? Start it with `ollama serve` (install it from https://ollama.com), or point --base-url or OLLAMA_HOST at it.",
        );
      }
      if (tags.status !== 200) {
        throw configError(
          `The server at ${baseUrl} answered HTTP ${tags.status} to /api/tags, so it is not Ollama. For llama-server use --provider llama-cpp; otherwise check --base-url or OLLAMA_HOST.`,
          "config",
          "ollama",
        );
      }
      const names = ollamaModelNames(probeJson(tags));
      const notes: string[] = [];
      let model = choice.model;
      if (
        model !== undefined &&
        pickOllamaModel(names, model, OLLAMA_DEFAULT_MODEL) === undefined
      ) {
        throw configError(
          `Ollama at ${baseUrl} does not have the model ${model}. Pull it with \`ollama pull ${model}\`${names.length > 0 ? `, or pick one it has: ${names.slice(0, 8).join(", ")}` : ""}.`,
          "model-not-found",
          "ollama",
        );
      }
      if (model === undefined) {
        model = pickOllamaModel(names, undefined, OLLAMA_DEFAULT_MODEL);
        if (model === undefined) {
          throw configError(
            `Ollama at ${baseUrl} has no chat model yet. Pull the default with \`ollama pull ${OLLAMA_DEFAULT_MODEL}\` (or gemma4:e2b on a small machine), then run again.`,
            "model-not-found",
            "ollama",
          );
        }
        if (model !== OLLAMA_DEFAULT_MODEL) {
          notes.push(
            `${OLLAMA_DEFAULT_MODEL} is not pulled, so ${model} is used; pass --model to choose.`,
          );
        }
      }
      const make = (numCtx: number | undefined) =>
        createOllama({ fetch: nodeFetch, baseUrl, model, ...(numCtx ? { numCtx } : {}) });
      let provider = make(choice.contextWindow);
      const ready: ReadyProvider = { provider, label: `ollama ${model} at ${baseUrl}`, notes };
      if (choice.contextWindow !== undefined) {
        // Past the trained length Ollama allocates memory for a window the model cannot use.
        const deadline = AbortSignal.timeout(timeoutMs);
        const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
        const window = await provider.contextWindow({ signal }).catch(() => undefined);
        if (window !== undefined && window < choice.contextWindow) {
          notes.push(
            `contextWindow ${choice.contextWindow} is past ${model}'s trained context length (${window}), so ${window} is used.`,
          );
          await provider.dispose();
          provider = make(window);
          ready.provider = provider;
          ready.contextWindow = window;
        }
      }
      return ready;
    }
    case "llama-cpp": {
      const { createLlamaCpp, LLAMA_CPP_DEFAULT_URL } = await import(
        "@gemma-coder/providers/llama-cpp"
      );
      const baseUrl = choice.baseUrl ?? LLAMA_CPP_DEFAULT_URL;
      const health = await probe(`${baseUrl}/health`, probeOptions);
      if (!health.reachable) {
        throw unreachable(
          "llama-cpp",
          baseUrl,
          health.error,
          "Is llama-server running? Start it with `llama-server -m model.gguf -c 8192 --jinja --port 8080`, or point --base-url at it.",
        );
      }
      const notes: string[] = [];
      if (health.status === 503)
        notes.push("llama-server is still loading its model; the run waits for it.");
      else if (health.status !== 200) {
        throw configError(
          `The server at ${baseUrl} answered HTTP ${health.status} to /health, so it is not a working llama-server. For Ollama use --provider ollama; otherwise check --base-url.`,
          "config",
          "llama-cpp",
        );
      }
      const provider = createLlamaCpp({
        fetch: nodeFetch,
        baseUrl,
        ...(choice.model === undefined ? {} : { model: choice.model }),
        ...(choice.apiKey === undefined ? {} : { apiKey: choice.apiKey }),
      });
      return { provider, label: `llama-server at ${baseUrl}`, notes };
    }
    case "openrouter": {
      // The environment's key goes to the official host only, unless the caller bound it
      // to another one (see bindApiKey).
      const apiKey =
        choice.apiKey ??
        (choice.baseUrl === undefined ? options.env.OPENROUTER_API_KEY : undefined);
      if (!apiKey) {
        throw configError(
          'OpenRouter needs an API key, and none is set. Create one at https://openrouter.ai/keys and export OPENROUTER_API_KEY=..., or put "apiKey" in the user config file. Or use a local backend: --provider ollama or --provider llama-cpp.',
          "provider-auth",
          "openrouter",
        );
      }
      const { createOpenRouter, OPENROUTER_BASE_URL } = await import(
        "@gemma-coder/providers/openrouter"
      );
      const provider = createOpenRouter({
        fetch: nodeFetch,
        apiKey,
        env: {},
        ...(choice.model === undefined ? {} : { model: choice.model }),
        ...(choice.baseUrl === undefined ? {} : { baseUrl: choice.baseUrl }),
      });
      const host = choice.baseUrl ?? OPENROUTER_BASE_URL;
      return { provider, label: `openrouter ${provider.model} at ${host}`, notes: [] };
    }
  }
}
