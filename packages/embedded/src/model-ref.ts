import { createHash } from "node:crypto";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { GemmaCoderError } from "@gemma-coder/core";

/**
 * The model used when none is given: Gemma 4 E2B instruction-tuned, 4-bit (Q4_K_M),
 * as a Hugging Face GGUF reference. About 3 GB to download.
 */
export const DEFAULT_MODEL = "hf:ggml-org/gemma-4-E2B-it-GGUF/gemma-4-E2B-it-Q4_K_M.gguf";

/**
 * The approximate size of {@link DEFAULT_MODEL} in bytes, for a prompt that asks before a
 * download ("about 3 GB"). An estimate, not a measurement (the file cannot be fetched where
 * this package is tested): the real size is what the server reports when the download
 * starts, which the progress events carry as `totalBytes`.
 */
export const DEFAULT_MODEL_APPROX_BYTES = 3_000_000_000;

/** Where a model reference points. */
export type ModelSource =
  | {
      /** A file on disk. */
      kind: "path";
      /** The absolute path. */
      path: string;
    }
  | {
      /** A file to download. */
      kind: "url";
      /** The HTTPS (or HTTP) address of the file. */
      url: string;
      /** The file name in the cache folder. */
      fileName: string;
    };

function sanitize(part: string): string {
  return part.replace(/[^A-Za-z0-9._-]+/g, "_");
}

/**
 * Resolves a model reference: a local `.gguf` path (or `file:` URL), an `https://` URL, or a
 * Hugging Face reference `hf:<owner>/<repo>/<file.gguf>` (optionally
 * `hf:<owner>/<repo>@<revision>/<file.gguf>`).
 *
 * @param ref - The reference.
 * @returns Where it points, with the cache file name for downloads.
 * @throws GemmaCoderError `invalid-argument` for an empty or malformed reference.
 */
export function resolveModelRef(ref: string): ModelSource {
  if (typeof ref !== "string" || ref.trim() === "") {
    throw new GemmaCoderError("A model reference (a GGUF path or URL) is required.", {
      code: "invalid-argument",
    });
  }
  const trimmed = ref.trim();
  if (trimmed.startsWith("hf:")) {
    const match = /^hf:([^/\s]+)\/([^/@\s]+)(?:@([^/\s]+))?\/(.+\.gguf)$/i.exec(trimmed);
    if (!match) {
      throw new GemmaCoderError(
        `Invalid Hugging Face model reference ${JSON.stringify(ref)}: expected hf:<owner>/<repo>/<file>.gguf.`,
        { code: "invalid-argument" },
      );
    }
    const [, owner, repo, revision, file] = match as unknown as [
      string,
      string,
      string,
      string | undefined,
      string,
    ];
    const encodedFile = file.split("/").map(encodeURIComponent).join("/");
    return {
      kind: "url",
      url: `https://huggingface.co/${owner}/${repo}/resolve/${encodeURIComponent(revision ?? "main")}/${encodedFile}`,
      fileName: sanitize(
        `${owner}--${repo}--${revision ? `${revision}--` : ""}${file.replace(/\//g, "--")}`,
      ),
    };
  }
  if (/^https?:\/\//i.test(trimmed)) {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      throw new GemmaCoderError(`Invalid model URL ${JSON.stringify(ref)}.`, {
        code: "invalid-argument",
      });
    }
    const base = decodeURIComponent(url.pathname.split("/").pop() ?? "") || "model.gguf";
    // Two URLs ending in the same file name must not share a cache file.
    const tag = createHash("sha256").update(url.href).digest("hex").slice(0, 10);
    return { kind: "url", url: url.href, fileName: sanitize(`${tag}-${base}`) };
  }
  const file = trimmed.startsWith("file:") ? fileURLToPath(trimmed) : path.resolve(trimmed);
  if (!/\.gguf$/i.test(file)) {
    throw new GemmaCoderError(
      `The in-process engine loads a .gguf file, an https:// URL or hf:<owner>/<repo>/<file>.gguf; ${JSON.stringify(ref)} is none of these. For a model name of another backend, pass --provider.`,
      { code: "invalid-argument" },
    );
  }
  return { kind: "path", path: file };
}

/**
 * The folder downloaded models go to: `$GEMMA_CODER_CACHE` when set, else
 * `$XDG_CACHE_HOME/gemma-coder/models`, else `%LOCALAPPDATA%\gemma-coder\models` on
 * Windows, else `~/.cache/gemma-coder/models`.
 *
 * @param env - The environment to read (default `process.env`).
 * @returns An absolute folder path (not created).
 */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  if (env.GEMMA_CODER_CACHE) return path.resolve(env.GEMMA_CODER_CACHE);
  if (env.XDG_CACHE_HOME)
    return path.join(path.resolve(env.XDG_CACHE_HOME), "gemma-coder", "models");
  if (process.platform === "win32" && env.LOCALAPPDATA) {
    return path.join(env.LOCALAPPDATA, "gemma-coder", "models");
  }
  return path.join(homedir(), ".cache", "gemma-coder", "models");
}
