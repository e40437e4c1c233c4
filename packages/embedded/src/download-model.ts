import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { GemmaCoderError } from "@gemma-coder/core";
import { abortError } from "@gemma-coder/core/internal";
import { defaultCacheDir, resolveModelRef } from "./model-ref.js";

/** Progress of a model download. */
export type DownloadProgressEvent =
  | {
      /** The request was answered and bytes are about to flow. */
      type: "download-start";
      /** The address being downloaded. */
      url: string;
      /** The file the model will be saved as. */
      path: string;
      /** The full size, when the server says. */
      totalBytes: number | undefined;
      /** Bytes kept from an earlier, interrupted download (0 for a fresh start). */
      resumedFromBytes: number;
    }
  | {
      /** More bytes arrived (reported about every 1%, or every 4 MiB when the size is unknown). */
      type: "download-progress";
      /** The address being downloaded. */
      url: string;
      /** Bytes on disk so far, resumed ones included. */
      receivedBytes: number;
      /** The full size, when known. */
      totalBytes: number | undefined;
    }
  | {
      /** The file is complete and in place. */
      type: "download-complete";
      /** The address downloaded. */
      url: string;
      /** The model file. */
      path: string;
      /** Its size. */
      bytes: number;
    };

/** Options of {@link downloadModel}. */
export interface DownloadModelOptions {
  /** The folder to keep models in. Default {@link defaultCacheDir}. */
  cacheDir?: string | undefined;
  /** Called as the download progresses. */
  onProgress?: ((event: DownloadProgressEvent) => void) | undefined;
  /** Stops the download; the partial file is kept and resumed next time. */
  signal?: AbortSignal | undefined;
  /** A bearer token for gated Hugging Face models. Default: `$HF_TOKEN`, sent to huggingface.co only. */
  token?: string | undefined;
  /** The fetch implementation (for tests or a proxy-aware fetch). Default: the global fetch. */
  fetch?: typeof globalThis.fetch | undefined;
}

const PROVIDER = "embedded";
const UNKNOWN_SIZE_STEP = 4 * 1024 * 1024;

async function fileSize(file: string): Promise<number | undefined> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function connectionError(url: string, error: unknown, kept: number): GemmaCoderError {
  const host = new URL(url).host;
  const code = errorCode(error);
  const offline =
    code !== undefined && /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ENETUNREACH|EHOSTUNREACH/.test(code);
  const reason = code ?? (error instanceof Error ? error.message : String(error));
  const resume =
    kept > 0 ? ` The ${kept} bytes already downloaded are kept and the next attempt resumes.` : "";
  const message = offline
    ? `Cannot reach ${host} to download the model (${reason}): this machine looks offline. Download the GGUF file on a connected machine and pass its path instead.${resume}`
    : `The model download from ${host} failed (${reason}).${resume}`;
  return new GemmaCoderError(message, {
    code: "provider-connection",
    provider: PROVIDER,
    isRetryable: true,
    cause: error,
  });
}

function httpError(url: string, status: number): GemmaCoderError {
  if (status === 404) {
    return new GemmaCoderError(`No model file at ${url} (404). Check the model reference.`, {
      code: "model-not-found",
      status,
      provider: PROVIDER,
    });
  }
  if (status === 401 || status === 403) {
    return new GemmaCoderError(
      `Access to ${url} was refused (${status}). If the model is gated, accept its licence on Hugging Face and set HF_TOKEN.`,
      { code: "provider-auth", status, provider: PROVIDER },
    );
  }
  return new GemmaCoderError(`The model download from ${url} failed with HTTP ${status}.`, {
    code: status === 429 ? "rate-limited" : "provider-http",
    status,
    provider: PROVIDER,
    isRetryable: status === 429 || status >= 500,
  });
}

/** Total size from `Content-Range: bytes a-b/total` (or `bytes *\/total`). */
function rangeTotal(header: string | null): number | undefined {
  const match = /\/(\d+)\s*$/.exec(header ?? "");
  return match ? Number(match[1]) : undefined;
}

function rangeStart(header: string | null): number | undefined {
  const match = /^bytes\s+(\d+)-/.exec(header ?? "");
  return match ? Number(match[1]) : undefined;
}

// long-function: the download as one sequence that may resume (at most two passes), its progress and clean-up sharing the same state
/**
 * Makes a model available on disk and returns its path. A local path is checked and
 * returned as is. A URL or `hf:` reference is downloaded into the cache folder, unless
 * it is already there (then no network request is made): bytes go to
 * `<cacheDir>/<name>.partial`, an interrupted download resumes from where it stopped
 * (HTTP Range), and the file is renamed into place only when complete.
 *
 * @param ref - A path, an `https://` URL or `hf:<owner>/<repo>/<file>.gguf`.
 * @param options - Cache folder, progress callback, abort signal, token.
 * @returns The absolute path of the model file.
 * @throws GemmaCoderError `model-not-found` (no such file or 404), `provider-connection`
 *   (offline, or the connection dropped; retryable, and the next call resumes),
 *   `provider-auth` (401/403), `provider-http`, `aborted`.
 *
 * @example
 * ```ts
 * const file = await downloadModel(EMBEDDED_DEFAULT_MODEL, {
 *   onProgress: (e) => e.type === "download-progress" && console.log(e.receivedBytes, e.totalBytes),
 * });
 * ```
 */
export async function downloadModel(
  ref: string,
  options: DownloadModelOptions = {},
): Promise<string> {
  const source = resolveModelRef(ref);
  if (source.kind === "path") {
    if ((await fileSize(source.path)) === undefined) {
      throw new GemmaCoderError(`The model file ${source.path} does not exist.`, {
        code: "model-not-found",
        provider: PROVIDER,
      });
    }
    return source.path;
  }
  const { signal, onProgress } = options;
  if (signal?.aborted) throw abortError(signal);
  const cacheDir = path.resolve(options.cacheDir ?? defaultCacheDir());
  const target = path.join(cacheDir, source.fileName);
  const existing = await fileSize(target);
  if (existing !== undefined && existing > 0) return target;
  await mkdir(cacheDir, { recursive: true });
  const partial = `${target}.partial`;
  const url = source.url;
  const doFetch = options.fetch ?? globalThis.fetch;
  const token = options.token ?? process.env.HF_TOKEN;
  const sendToken =
    token !== undefined && token !== "" && /(^|\.)huggingface\.co$/.test(new URL(url).hostname);

  // Two passes at most: a server that refuses the resume range gets a fresh start.
  for (let attempt = 0; attempt < 2; attempt++) {
    let have = (await fileSize(partial)) ?? 0;
    const headers: Record<string, string> = {};
    if (have > 0) headers.range = `bytes=${have}-`;
    if (sendToken) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await doFetch(url, { headers, redirect: "follow", ...(signal ? { signal } : {}) });
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      throw connectionError(url, error, have);
    }

    let total: number | undefined;
    let append = false;
    if (response.status === 416) {
      await response.body?.cancel();
      const size = rangeTotal(response.headers.get("content-range"));
      if (size !== undefined && size === have) {
        await rename(partial, target);
        onProgress?.({ type: "download-complete", url, path: target, bytes: have });
        return target;
      }
      await rm(partial, { force: true });
      continue;
    }
    if (response.status === 206) {
      total = rangeTotal(response.headers.get("content-range"));
      if (rangeStart(response.headers.get("content-range")) !== have) {
        await response.body?.cancel();
        await rm(partial, { force: true });
        continue;
      }
      append = true;
    } else if (response.status === 200) {
      const length = response.headers.get("content-length");
      total = length === null ? undefined : Number(length);
      have = 0;
    } else {
      await response.body?.cancel();
      throw httpError(url, response.status);
    }
    if (!response.body) throw connectionError(url, new Error("empty response body"), have);

    onProgress?.({
      type: "download-start",
      url,
      path: target,
      totalBytes: total,
      resumedFromBytes: have,
    });
    const handle = await open(partial, append ? "a" : "w");
    let received = have;
    const step = total === undefined ? UNKNOWN_SIZE_STEP : Math.max(1, Math.floor(total / 100));
    let nextReport = received + step;
    let reported = -1;
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        await handle.write(chunk);
        received += chunk.byteLength;
        if (received >= nextReport) {
          nextReport = received + step;
          reported = received;
          onProgress?.({
            type: "download-progress",
            url,
            receivedBytes: received,
            totalBytes: total,
          });
        }
      }
    } catch (error) {
      await handle.close();
      if (signal?.aborted) throw abortError(signal);
      throw connectionError(url, error, received);
    }
    await handle.close();
    if (total !== undefined && received !== total) {
      throw connectionError(
        url,
        new Error(`the connection closed after ${received} of ${total} bytes`),
        received,
      );
    }
    if (reported !== received) {
      onProgress?.({ type: "download-progress", url, receivedBytes: received, totalBytes: total });
    }
    await rename(partial, target);
    onProgress?.({ type: "download-complete", url, path: target, bytes: received });
    return target;
  }
  throw new GemmaCoderError(`The server for ${url} did not accept a download range twice.`, {
    code: "provider-http",
    provider: PROVIDER,
    isRetryable: true,
  });
}
