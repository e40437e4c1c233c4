import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { GemmaCoderError, type ModelProvider } from "@gemma-coder/core";
import { formatBytes, ProgressBar } from "./terminal/progress-bar.js";

/** A download progress event, as `@gemma-coder/embedded` reports it (read defensively). */
interface DownloadEvent {
  type: string;
  receivedBytes?: number;
  resumedFromBytes?: number;
  totalBytes?: number | undefined;
}

/**
 * The parts of `@gemma-coder/embedded` the CLI uses. They are typed here rather than
 * imported, so the package stays an optional dependency that is loaded only when the
 * embedded engine is actually chosen.
 */
interface EmbeddedModule {
  createEmbedded(options: {
    model: string;
    cacheDir?: string;
    contextSize?: number;
    onProgress?: (event: { type: string; fraction?: number }) => void;
  }): ModelProvider | Promise<ModelProvider>;
  downloadModel(
    ref: string,
    options: {
      cacheDir?: string;
      onProgress?: (event: DownloadEvent) => void;
      signal?: AbortSignal;
    },
  ): Promise<string>;
  EMBEDDED_DEFAULT_MODEL: string;
  /** The default model's approximate size (an estimate the package states as one). */
  EMBEDDED_DEFAULT_MODEL_APPROX_BYTES?: number;
  resolveModelRef?(ref: string): { kind: "path"; path: string } | { kind: "url"; fileName: string };
  [key: string]: unknown;
}

/** The cached copy of a downloadable model, found without touching the network. */
function cachedFile(module: EmbeddedModule, ref: string, models: string): string | undefined {
  try {
    const source = module.resolveModelRef?.(ref);
    if (source?.kind !== "url") return undefined;
    const file = path.join(models, source.fileName);
    return statSync(file).size > 0 ? file : undefined;
  } catch {
    return undefined;
  }
}

/** How the embedded engine reaches the person running the CLI. */
export interface EmbeddedUi {
  /** Asks a question; absent when nobody can answer. */
  ask?: ((question: string) => Promise<string | undefined>) | undefined;
  /**
   * `--download`: download the default model without asking. `--yes` does not imply it:
   * agreeing to file changes is not agreeing to a multi-gigabyte download.
   */
  allowDownload: boolean;
  /** Where the progress bar and notes go. */
  stderr: { write(text: string): unknown; isTTY?: boolean | undefined };
  /** Cancels a download (what was fetched is kept and resumed next time). */
  signal?: AbortSignal | undefined;
  /** Told how loading the model into memory progresses (`undefined` when it is done). */
  onLoadStatus?: ((text: string | undefined) => void) | undefined;
  /** The context window in tokens (the `contextWindow` setting). */
  contextSize?: number | undefined;
  /** CPU threads for the engine (the `threads` setting); default: the engine's choice. */
  threads?: number | undefined;
  /** Loads the embedded package; replaced in tests. */
  load?: () => Promise<unknown>;
}

const SERVER_BACKENDS = [
  "  - Ollama: install it from https://ollama.com, then `ollama pull gemma4:e4b` (it listens on 127.0.0.1:11434).",
  "  - llama.cpp: `llama-server -m gemma-4-E2B-it-Q4_K_M.gguf -c 8192 --jinja --port 8080`.",
  "  - OpenRouter: `export OPENROUTER_API_KEY=...` (a free key from https://openrouter.ai/keys).",
];

/**
 * The explanation printed when no backend is available and the embedded engine is not
 * installed: a few lines on getting each backend running.
 *
 * @param models - The models folder.
 * @returns The text.
 */
export function noBackendHelp(models: string): string {
  return [
    "No model backend is running here. Any one of these works:",
    ...SERVER_BACKENDS,
    `  - Embedded: \`npm i -g @gemma-coder/embedded\`, then run again to download the default model into ${models}, or pass --model path/to/model.gguf.`,
  ].join("\n");
}

function startOne(lead: string): string {
  return [lead, ...SERVER_BACKENDS].join("\n");
}

function defaultLoad(): Promise<unknown> {
  // A variable keeps bundlers and the type checker from requiring the optional package.
  const name = "@gemma-coder/embedded";
  return import(name);
}

/** "gemma.gguf (about 3.0 GB)", or the bare name when the package states no size. */
function describeDownload(module: EmbeddedModule, name: string): string {
  const size = module.EMBEDDED_DEFAULT_MODEL_APPROX_BYTES;
  return typeof size === "number" && size > 0 ? `${name} (about ${formatBytes(size)})` : name;
}

function isOffline(error: unknown): boolean {
  const code = GemmaCoderError.isInstance(error) ? error.code : undefined;
  return (
    code === "provider-connection" ||
    /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ENETUNREACH|EHOSTUNREACH|fetch failed/i.test(String(error))
  );
}

// long-function: the embedded start-up as one sequence (model reference, cache, consent to download, progress, load); a candidate to split into steps
/**
 * Sets up the in-process engine. With a model (a `.gguf` path, an `https://` URL or an
 * `hf:` reference) it uses that; with none it offers the default Gemma 4 E2B GGUF: the
 * size is shown, the person is asked unless `--download` (`--yes` is not enough), the
 * download shows a progress bar and resumes if it was interrupted, and a cached copy is
 * used without any network request. Without a terminal and without `--download` it
 * explains instead of downloading;
 * offline, it explains how to get each backend running.
 *
 * @param model - A model reference, or nothing for the default.
 * @param models - The models folder (the cache).
 * @param ui - How to ask and show progress.
 * @returns The provider and its label.
 * @throws GemmaCoderError `config` with the explanation when it cannot run.
 */
export async function createEmbeddedProvider(
  model: string | undefined,
  models: string,
  ui: EmbeddedUi,
): Promise<{ provider: ModelProvider; label: string; notes: string[] }> {
  let module: EmbeddedModule;
  try {
    module = (await (ui.load ?? defaultLoad)()) as EmbeddedModule;
  } catch (error) {
    throw new GemmaCoderError(
      (error as NodeJS.ErrnoException)?.code === "ERR_MODULE_NOT_FOUND"
        ? noBackendHelp(models)
        : `${noBackendHelp(models)}\n(The embedded engine failed to load: ${(error as Error)?.message ?? String(error)})`,
      { code: "config", cause: error },
    );
  }
  if (model !== undefined && !/^(hf:|https?:)/i.test(model) && !existsSync(model)) {
    throw new GemmaCoderError(
      `The model file ${model} does not exist. Pass a .gguf path, an https:// URL or hf:<owner>/<repo>/<file>.gguf.`,
      { code: "config" },
    );
  }
  const ref = model ?? module.EMBEDDED_DEFAULT_MODEL;
  const local = model !== undefined && !/^(hf:|https?:)/i.test(model);
  let file = local ? path.resolve(model) : undefined;
  if (file === undefined) {
    const name = ref.split("/").pop() ?? ref;
    file = cachedFile(module, ref, models);
    if (file === undefined) {
      const sized = describeDownload(module, name);
      if (!ui.allowDownload) {
        if (!ui.ask) {
          throw new GemmaCoderError(
            startOne(
              `No model backend is running here, and the default model ${sized} is not downloaded yet. Start gemma-coder with --download (for an editor: in the agent's arguments) to download it into ${models} and run it in-process, or start one of these:`,
            ),
            { code: "config" },
          );
        }
        const answer = await ui.ask(
          `No model backend is running. Download ${sized} into ${models} and run it here? [y/N] `,
        );
        if (!/^y(es)?$/i.test(answer?.trim() ?? "")) {
          throw new GemmaCoderError(
            startOne("Nothing was downloaded. Start one of these and run again:"),
            {
              code: "config",
            },
          );
        }
      }
      const bar = new ProgressBar(ui.stderr, name);
      try {
        file = await module.downloadModel(ref, {
          cacheDir: models,
          onProgress: (event) => {
            if (event.type === "download-start") {
              if (event.resumedFromBytes) {
                ui.stderr.write(
                  `Resuming the download at ${formatBytes(event.resumedFromBytes)}.\n`,
                );
              }
              bar.update(event.resumedFromBytes ?? 0, event.totalBytes);
            } else if (event.type === "download-progress") {
              bar.update(event.receivedBytes ?? 0, event.totalBytes);
            }
          },
          ...(ui.signal ? { signal: ui.signal } : {}),
        });
      } catch (error) {
        if (ui.signal?.aborted) throw error;
        const message = (error as Error).message ?? String(error);
        throw new GemmaCoderError(
          isOffline(error)
            ? startOne(
                `The model could not be downloaded: ${message} Or start one of these and run again:`,
              )
            : `The model download failed: ${message} Run again to resume it.`,
          { code: "config", cause: error },
        );
      } finally {
        bar.done();
      }
    }
  }
  const provider = await module.createEmbedded({
    model: file,
    cacheDir: models,
    ...(ui.contextSize === undefined ? {} : { contextSize: ui.contextSize }),
    ...(ui.threads === undefined ? {} : { threads: ui.threads }),
    onProgress: (event) => {
      // Loading happens on the first request; the live view shows it in its spinner.
      if (event.type === "load-progress") {
        ui.onLoadStatus?.(
          `loading the model into memory ${Math.round((event.fraction ?? 0) * 100)}%`,
        );
      } else if (event.type === "ready") ui.onLoadStatus?.(undefined);
    },
  });
  return { provider, label: `embedded ${path.basename(file)}`, notes: [] };
}
