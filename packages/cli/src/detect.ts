import { promises as fs } from "node:fs";
import path from "node:path";
import { pickOllamaModel } from "@gemma-coder/providers/ollama";
import type { ProviderName } from "./config/config-file.js";
import { probe, probeJson } from "./probe.js";

// It lives in @gemma-coder/providers (the VS Code extension picks with it too).
export { pickOllamaModel };

/** A backend detection found and could use. */
export interface Detected {
  /** The provider to use. */
  provider: ProviderName;
  /** The server address, for server backends. */
  baseUrl?: string;
  /** The model to use: a tag, or a GGUF path for `embedded`. */
  model?: string;
  /** A few words for the "using ..." line. */
  description: string;
}

/** What detection found. */
export interface Detection {
  /** The pick, by preference: Ollama, llama-server, OpenRouter, a cached GGUF. */
  picked?: Detected;
  /** Everything usable, in preference order. */
  found: Detected[];
  /** Things that were there but not usable (Ollama with no chat model...), for the explanation. */
  notes: string[];
}

/** Options of {@link detectBackends}. */
export interface DetectOptions {
  /** Where to look for Ollama (`OLLAMA_HOST` resolved, or the default). */
  ollamaUrl: string;
  /** Where to look for llama-server. */
  llamaCppUrl: string;
  /** The OpenRouter key, when one is set. */
  openRouterKey?: string | undefined;
  /** The folder of downloaded GGUF files. */
  modelsDir: string;
  /** The model asked for, if any: it decides between several Ollama models. */
  model?: string | undefined;
  /** The Ollama model preferred when nothing is asked for. */
  ollamaDefaultModel: string;
  /**
   * Each probe's deadline. Default 2 s: a local server answers in a few milliseconds, but
   * on a busy machine (a Pi generating for another client, a loaded CI box) it can take
   * hundreds, and a missed Ollama means falling back to the in-process engine. Nothing
   * listening is refused at once, so the deadline only costs time when a server is slow.
   */
  timeoutMs?: number;
  /** Stops the probes. */
  signal?: AbortSignal;
}

/**
 * Lists the model names an Ollama `/api/tags` answer holds.
 *
 * @param body - The parsed answer.
 * @returns The names.
 */
export function ollamaModelNames(body: unknown): string[] {
  const models = (body as { models?: unknown } | undefined)?.models;
  if (!Array.isArray(models)) return [];
  return models
    .map((entry) => (entry as { name?: unknown; model?: unknown }) ?? {})
    .map((entry) => (typeof entry.name === "string" ? entry.name : entry.model))
    .filter((name): name is string => typeof name === "string");
}

/**
 * Finds GGUF files in the models folder (and its direct subfolders), newest first.
 *
 * @param folder - The models folder.
 * @returns Absolute paths.
 */
export async function findGgufFiles(folder: string): Promise<string[]> {
  const found: { file: string; mtime: number }[] = [];
  const scan = async (dir: string, depth: number) => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory() && depth > 0) await scan(file, depth - 1);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith(".gguf")) {
        const stats = await fs.stat(file).catch(() => undefined);
        if (stats && stats.size > 0) found.push({ file, mtime: stats.mtimeMs });
      }
    }
  };
  await scan(folder, 1);
  return found.sort((a, b) => b.mtime - a.mtime).map((entry) => entry.file);
}

/**
 * Looks for a model backend when none is configured: probes Ollama (`/api/tags`) and
 * llama-server (`/health`) in parallel with short deadlines, checks for an OpenRouter
 * key and for a GGUF file in the cache. Local backends come first: nothing leaves the
 * machine unless the only thing found is the OpenRouter key.
 *
 * @param options - Where to look.
 * @returns What was found and the pick.
 */
export async function detectBackends(options: DetectOptions): Promise<Detection> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const signal = options.signal;
  const probeOptions = signal ? { timeoutMs, signal } : { timeoutMs };
  const [ollama, llama, ggufs] = await Promise.all([
    probe(`${options.ollamaUrl}/api/tags`, probeOptions),
    probe(`${options.llamaCppUrl}/health`, probeOptions),
    findGgufFiles(options.modelsDir),
  ]);
  const found: Detected[] = [];
  const notes: string[] = [];

  if (ollama.reachable && ollama.status === 200) {
    const names = ollamaModelNames(probeJson(ollama));
    const model = pickOllamaModel(names, options.model, options.ollamaDefaultModel);
    if (model) {
      found.push({
        provider: "ollama",
        baseUrl: options.ollamaUrl,
        model,
        description: `Ollama at ${options.ollamaUrl}, model ${model}`,
      });
    } else {
      notes.push(
        options.model
          ? `Ollama is running at ${options.ollamaUrl} but ${options.model} is not pulled (run \`ollama pull ${options.model}\`).`
          : `Ollama is running at ${options.ollamaUrl} but has no chat model (run \`ollama pull ${options.ollamaDefaultModel}\`).`,
      );
    }
  }
  const llamaBody = probeJson(llama) as { status?: unknown } | undefined;
  const llamaUp =
    llama.reachable &&
    (llama.status === 200 || (llama.status === 503 && llamaBody?.status !== undefined));
  if (llamaUp) {
    found.push({
      provider: "llama-cpp",
      baseUrl: options.llamaCppUrl,
      description: `llama-server at ${options.llamaCppUrl}${llama.status === 503 ? " (still loading its model)" : ""}`,
    });
  }
  if (options.openRouterKey) {
    found.push({
      provider: "openrouter",
      description: "OpenRouter (OPENROUTER_API_KEY is set)",
    });
  }
  const gguf = ggufs[0];
  if (gguf) {
    found.push({
      provider: "embedded",
      model: gguf,
      description: `the embedded engine with ${path.basename(gguf)} from the cache`,
    });
  }
  return found[0] ? { picked: found[0], found, notes } : { found, notes };
}
