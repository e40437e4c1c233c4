import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { GemmaCoderError, type ModelProvider } from "@gemma-coder/core";
import { createScriptedModel } from "@gemma-coder/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEmbeddedProvider, type EmbeddedUi } from "./embedded.js";

let models: string;
beforeEach(() => {
  models = mkdtempSync(path.join(os.tmpdir(), "gemma-coder-models-"));
});
afterEach(() => rmSync(models, { recursive: true, force: true }));

/** A stand-in for @gemma-coder/embedded that records what it was asked. */
function fakeModule(options: { fail?: unknown; bytes?: number } = {}) {
  const calls = {
    downloads: [] as Array<{ ref: string; cacheDir?: string }>,
    created: [] as string[],
    threads: [] as Array<number | undefined>,
  };
  const module = {
    EMBEDDED_DEFAULT_MODEL: "hf:org/repo/model-Q4.gguf",
    ...(options.bytes ? { EMBEDDED_DEFAULT_MODEL_APPROX_BYTES: options.bytes } : {}),
    resolveModelRef: (ref: string) => ({
      kind: "url",
      fileName: ref.replace(/[^a-z0-9.]+/gi, "_"),
    }),
    async downloadModel(
      ref: string,
      opts: { cacheDir?: string; onProgress?: (event: unknown) => void },
    ) {
      calls.downloads.push({ ref, ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}) });
      if (options.fail) throw options.fail;
      opts.onProgress?.({ type: "download-start", totalBytes: 100, resumedFromBytes: 40 });
      opts.onProgress?.({ type: "download-progress", receivedBytes: 70, totalBytes: 100 });
      opts.onProgress?.({ type: "download-progress", receivedBytes: 100, totalBytes: 100 });
      return path.join(opts.cacheDir ?? "", "model-Q4.gguf");
    },
    createEmbedded(opts: {
      model: string;
      threads?: number;
      onProgress?: (event: unknown) => void;
    }): ModelProvider {
      calls.created.push(opts.model);
      calls.threads.push(opts.threads);
      opts.onProgress?.({ type: "load-progress", fraction: 0.5 });
      opts.onProgress?.({
        type: "ready",
        path: opts.model,
        contextSize: 8192,
        gpu: false,
        chatFormat: "Gemma",
      });
      return createScriptedModel([]);
    },
  };
  return { module, calls };
}

function ui(overrides: Partial<EmbeddedUi> & { answers?: string[] } = {}) {
  const written: string[] = [];
  const questions: string[] = [];
  const answers = overrides.answers;
  const value: EmbeddedUi = {
    allowDownload: false,
    stderr: { write: (text: string) => written.push(text) },
    ...(answers
      ? {
          ask: async (question: string) => {
            questions.push(question);
            return answers.shift();
          },
        }
      : {}),
    ...overrides,
  };
  return { ui: value, written, questions };
}

async function failure(run: Promise<unknown>): Promise<GemmaCoderError> {
  try {
    await run;
  } catch (error) {
    if (GemmaCoderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an error");
}

describe("createEmbeddedProvider", () => {
  it("explains every backend when the embedded package is not installed", async () => {
    const { ui: io } = ui({
      load: () =>
        Promise.reject(
          Object.assign(new Error("Cannot find package"), { code: "ERR_MODULE_NOT_FOUND" }),
        ),
    });
    const error = await failure(createEmbeddedProvider(undefined, models, io));
    expect(error.code).toBe("config");
    for (const hint of [
      "ollama pull",
      "llama-server -m gemma-4-E2B-it-Q4_K_M.gguf -c 8192 --jinja",
      "OPENROUTER_API_KEY",
      "@gemma-coder/embedded",
    ]) {
      expect(error.message).toContain(hint);
    }
  });

  it("without a terminal and without --download, explains instead of downloading", async () => {
    const { module, calls } = fakeModule({ bytes: 3_100_000_000 });
    const error = await failure(
      createEmbeddedProvider(undefined, models, ui({ load: async () => module }).ui),
    );
    expect(error.message).toContain("model-Q4.gguf (about 3.1 GB) is not downloaded yet");
    // Also read in an editor's log (ACP), where "run again" has no meaning.
    expect(error.message).toContain(
      "Start gemma-coder with --download (for an editor: in the agent's arguments)",
    );
    expect(calls.downloads).toEqual([]);
  });

  it("shows the size the real @gemma-coder/embedded package states", async () => {
    // The real package's exports, with only the network and engine parts replaced: a
    // renamed size export shows up here instead of silently dropping the size.
    const real = await import("@gemma-coder/embedded");
    const { module } = fakeModule();
    const io = ui({
      load: async () => ({
        ...module,
        ...real,
        downloadModel: module.downloadModel,
        createEmbedded: module.createEmbedded,
      }),
      answers: ["n"],
    });
    await failure(createEmbeddedProvider(undefined, models, io.ui));
    expect(io.questions[0]).toMatch(/\(about \d+(\.\d)? GB\) into /);
  });

  it("asks first, showing the size and the folder, and downloads nothing on no", async () => {
    const { module, calls } = fakeModule({ bytes: 3_100_000_000 });
    const io = ui({ load: async () => module, answers: ["n"] });
    const error = await failure(createEmbeddedProvider(undefined, models, io.ui));
    expect(io.questions[0]).toBe(
      `No model backend is running. Download model-Q4.gguf (about 3.1 GB) into ${models} and run it here? [y/N] `,
    );
    expect(error.message).toMatch(/^Nothing was downloaded/);
    expect(calls.downloads).toEqual([]);
  });

  it("downloads into the cache with progress on yes, then runs the file", async () => {
    const { module, calls } = fakeModule();
    const io = ui({ load: async () => module, answers: ["y"] });
    const ready = await createEmbeddedProvider(undefined, models, io.ui);
    expect(calls.downloads).toEqual([{ ref: "hf:org/repo/model-Q4.gguf", cacheDir: models }]);
    expect(calls.created).toEqual([path.join(models, "model-Q4.gguf")]);
    expect(ready.label).toBe("embedded model-Q4.gguf");
    const shown = io.written.join("");
    expect(shown).toContain("Resuming the download at 40 B.");
    expect(shown).toContain("model-Q4.gguf: 100 B / 100 B (100%)");
  });

  it("downloads without asking with --download", async () => {
    const { module, calls } = fakeModule();
    const io = ui({ load: async () => module, allowDownload: true, answers: [] });
    await createEmbeddedProvider(undefined, models, io.ui);
    expect(io.questions).toEqual([]);
    expect(calls.downloads).toHaveLength(1);
  });

  it("uses a cached copy without downloading", async () => {
    const { module, calls } = fakeModule();
    const cached = path.join(
      models,
      module.resolveModelRef(module.EMBEDDED_DEFAULT_MODEL).fileName,
    );
    writeFileSync(cached, "GGUF");
    await createEmbeddedProvider(undefined, models, ui({ load: async () => module }).ui);
    expect(calls.downloads).toEqual([]);
    expect(calls.created).toEqual([cached]);
  });

  it("offline, explains how to get each backend running", async () => {
    const offline = new GemmaCoderError(
      "Cannot reach huggingface.co (ENOTFOUND): this machine looks offline.",
      {
        code: "provider-connection",
      },
    );
    const { module } = fakeModule({ fail: offline });
    const error = await failure(
      createEmbeddedProvider(
        undefined,
        models,
        ui({ load: async () => module, allowDownload: true }).ui,
      ),
    );
    expect(error.message).toContain("looks offline");
    expect(error.message).toContain("ollama pull");
    expect(error.message).toContain("llama-server");
  });

  it("reports the model loading, then clears the status when it is ready", async () => {
    const { module } = fakeModule();
    const file = path.join(models, "mine.gguf");
    writeFileSync(file, "GGUF");
    const statuses: Array<string | undefined> = [];
    await createEmbeddedProvider(file, models, {
      ...ui({ load: async () => module }).ui,
      onLoadStatus: (text) => statuses.push(text),
    });
    expect(statuses).toEqual(["loading the model into memory 50%", undefined]);
  });

  it("runs a local GGUF file as given, and names a missing one", async () => {
    const { module, calls } = fakeModule();
    const file = path.join(models, "mine.gguf");
    writeFileSync(file, "GGUF");
    await createEmbeddedProvider(file, models, ui({ load: async () => module }).ui);
    expect(calls.created).toEqual([file]);
    const error = await failure(
      createEmbeddedProvider(
        path.join(models, "nope.gguf"),
        models,
        ui({ load: async () => module }).ui,
      ),
    );
    expect(error.message).toMatch(/nope\.gguf does not exist/);
  });

  it("gives the engine the threads setting, and leaves the engine's default without one", async () => {
    const { module, calls } = fakeModule();
    const file = path.join(models, "mine.gguf");
    writeFileSync(file, "GGUF");
    await createEmbeddedProvider(file, models, ui({ load: async () => module, threads: 1 }).ui);
    await createEmbeddedProvider(file, models, ui({ load: async () => module }).ui);
    expect(calls.threads).toEqual([1, undefined]);
  });
});
