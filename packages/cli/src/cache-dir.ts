import os from "node:os";
import path from "node:path";
import type { Env } from "./config/resolve-settings.js";

/**
 * The folder of downloaded models, the same one `@gemma-coder/embedded` uses:
 * `GEMMA_CODER_CACHE` when set, else `$XDG_CACHE_HOME/gemma-coder/models`, else
 * `%LOCALAPPDATA%\gemma-coder\models` on Windows, else `~/.cache/gemma-coder/models`.
 * Computed here so detection can look for a GGUF file without loading the embedded
 * engine.
 *
 * @param env - The environment.
 * @returns The folder, whether or not it exists.
 */
export function modelsDir(env: Env): string {
  if (env.GEMMA_CODER_CACHE) return path.resolve(env.GEMMA_CODER_CACHE);
  if (env.XDG_CACHE_HOME)
    return path.join(path.resolve(env.XDG_CACHE_HOME), "gemma-coder", "models");
  if (process.platform === "win32" && env.LOCALAPPDATA) {
    return path.join(env.LOCALAPPDATA, "gemma-coder", "models");
  }
  return path.join(os.homedir(), ".cache", "gemma-coder", "models");
}
