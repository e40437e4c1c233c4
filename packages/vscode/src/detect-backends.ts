import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import {
  createLlamaCpp,
  createOllama,
  type FetchFunction,
  LLAMA_CPP_DEFAULT_URL,
  OLLAMA_DEFAULT_MODEL,
  OLLAMA_DEFAULT_URL,
  pickOllamaModel,
} from "@gemma-coder/providers";
import type { BackendChoice } from "./backend-choice.js";

/** Options of {@link detectBackends}. */
export interface DetectBackendsOptions {
  /** The `gemmaCoder.baseUrl` setting: where to look for Ollama and llama-server instead of their defaults. */
  baseUrl: string | undefined;
  /** The `gemmaCoder.model` setting: decides between several Ollama models. */
  model: string | undefined;
  /** Whether an OpenRouter key is stored in the secret storage. */
  hasOpenRouterKey: boolean;
  /** The embedded engine's model cache, where downloaded GGUF files are. */
  modelsDir: string;
  /** The fetch the probes use. */
  fetch: FetchFunction;
  /** Cancels the probes. */
  signal?: AbortSignal;
}

/** What detection found: the choices in preference order, and the automatic pick. */
export interface Detection {
  /** Ollama's pulled models and the one to use, when Ollama answered. */
  ollama: { models: string[]; pick: BackendChoice | undefined } | undefined;
  /** Every usable backend (each pulled Ollama model is its own choice). */
  choices: BackendChoice[];
  /** The first local choice, else OpenRouter, else a GGUF file; `undefined` when none. */
  picked: BackendChoice | undefined;
}

/** Short deadlines and no retries: a local server answers at once or is not there. */
const PROBE = {
  timeouts: { connectMs: 2_000, firstByteMs: 3_000, totalMs: 3_000 },
  retry: { maxRetries: 0 },
};

async function ollamaChoices(options: DetectBackendsOptions): Promise<Detection["ollama"]> {
  const baseUrl = options.baseUrl ?? OLLAMA_DEFAULT_URL;
  const ollama = createOllama({ ...PROBE, baseUrl, fetch: options.fetch, env: {} });
  try {
    const listed = await ollama.listModels(options.signal ? { signal: options.signal } : {});
    const models = listed.map((model) => model.id);
    const picked = pickOllamaModel(models, options.model, OLLAMA_DEFAULT_MODEL);
    const pick: BackendChoice | undefined =
      picked === undefined
        ? undefined
        : { provider: "ollama", model: picked, baseUrl, label: `ollama ${picked}` };
    return { models, pick };
  } catch {
    return undefined;
  } finally {
    await ollama.dispose();
  }
}

async function llamaCppChoice(options: DetectBackendsOptions): Promise<BackendChoice | undefined> {
  const baseUrl = options.baseUrl ?? LLAMA_CPP_DEFAULT_URL;
  const server = createLlamaCpp({ ...PROBE, baseUrl, fetch: options.fetch });
  try {
    const health = await server.health(options.signal ? { signal: options.signal } : {});
    const up = health.ok || health.status === "loading";
    return up ? { provider: "llama-cpp", baseUrl, label: `llama-server at ${baseUrl}` } : undefined;
  } catch {
    return undefined;
  } finally {
    await server.dispose();
  }
}

/**
 * The GGUF files in the model cache and its direct subfolders, newest first.
 *
 * @param folder - The model cache.
 * @returns Absolute paths; none when the folder is missing.
 */
export async function listGgufFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true }).catch(() => [] as string[]);
  const files = entries.filter(
    (name) => name.toLowerCase().endsWith(".gguf") && name.split(path.sep).length <= 2,
  );
  const dated = await Promise.all(
    files.map(async (name) => {
      const file = path.join(folder, name);
      const info = await stat(file).catch(() => undefined);
      return info?.isFile() && info.size > 0 ? { file, mtime: info.mtimeMs } : undefined;
    }),
  );
  return dated
    .filter((entry) => entry !== undefined)
    .sort((a, b) => b.mtime - a.mtime)
    .map((entry) => entry.file);
}

/**
 * Looks for model backends: Ollama (its pulled models) and llama-server at the configured
 * address or their defaults, an OpenRouter key in the secret storage, and GGUF files in
 * the embedded engine's cache. Local backends come first, so nothing leaves the machine
 * unless the only thing found is OpenRouter.
 *
 * @param options - Where to look.
 * @returns The choices and the automatic pick.
 */
export async function detectBackends(options: DetectBackendsOptions): Promise<Detection> {
  const [ollama, llama, ggufs] = await Promise.all([
    ollamaChoices(options),
    llamaCppChoice(options),
    listGgufFiles(options.modelsDir),
  ]);
  const openRouter: BackendChoice[] = options.hasOpenRouterKey
    ? [{ provider: "openrouter", label: "OpenRouter (key in VS Code's secret storage)" }]
    : [];
  const gguf: BackendChoice[] = ggufs.map((file) => ({
    provider: "embedded",
    model: file,
    label: `GGUF ${path.basename(file)} (serve it with llama-server)`,
  }));
  const ollamaUrl = options.baseUrl ?? OLLAMA_DEFAULT_URL;
  const pulled: BackendChoice[] = (ollama?.models ?? []).map((model) => ({
    provider: "ollama",
    model,
    baseUrl: ollamaUrl,
    label: `ollama ${model}`,
  }));
  const local = [...(ollama?.pick ? [ollama.pick] : []), ...(llama ? [llama] : [])];
  const choices = [...pulled, ...(llama ? [llama] : []), ...openRouter, ...gguf];
  return { ollama, choices, picked: local[0] ?? openRouter[0] ?? gguf[0] };
}
