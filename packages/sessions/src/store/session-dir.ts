import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";

/** The environment variable that overrides where sessions are kept. */
export const SESSIONS_DIR_ENV = "GEMMA_CODER_SESSIONS_DIR";

/**
 * The agent's own state folder inside a workspace (`.gemma-coder`). Sessions are not
 * kept there by default any more: a repository controls that folder, so anything in it
 * is treated as written by an attacker.
 */
export const PROJECT_SESSIONS_DIR = path.join(".gemma-coder", "sessions");

/** Options of {@link resolveSessionDir}. */
export interface SessionDirOptions {
  /** The workspace root. */
  workspace?: string | undefined;
  /** An explicit folder (from the user's configuration); wins over everything else. */
  dir?: string | undefined;
  /**
   * The environment to read `GEMMA_CODER_SESSIONS_DIR`, `XDG_DATA_HOME`, `XDG_CACHE_HOME`
   * and `LOCALAPPDATA` from. Default `process.env`.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** The platform, for the data and cache folders' defaults. Default `process.platform`. */
  platform?: NodeJS.Platform;
  /** The home folder. Default `os.homedir()`. */
  homedir?: string;
}

/** Where sessions are kept, and why there. */
export interface SessionDir {
  /** The absolute folder. */
  dir: string;
  /**
   * `custom`: given by `dir` or `GEMMA_CODER_SESSIONS_DIR`; `data`: the user's data
   * folder, one subfolder per workspace (keyed by the workspace's real path).
   */
  location: "custom" | "data";
}

/**
 * The user's cache folder for gemma-coder, the same base the CLI uses for models:
 * `$XDG_CACHE_HOME/gemma-coder`, else `%LOCALAPPDATA%\gemma-coder` on Windows, else
 * `~/.cache/gemma-coder`.
 *
 * @param options - Environment, platform and home folder.
 * @returns The absolute folder (not created).
 */
export function userCacheDir(options: Omit<SessionDirOptions, "workspace" | "dir"> = {}): string {
  const env = options.env ?? process.env;
  const home = options.homedir ?? os.homedir();
  const platform = options.platform ?? process.platform;
  if (env.XDG_CACHE_HOME) return path.join(path.resolve(env.XDG_CACHE_HOME), "gemma-coder");
  if (platform === "win32" && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, "gemma-coder");
  return path.join(home, ".cache", "gemma-coder");
}

/**
 * The user's data folder for gemma-coder, where sessions and checkpoints are kept:
 * `$XDG_DATA_HOME/gemma-coder`, else `%LOCALAPPDATA%\gemma-coder` on Windows, else
 * `~/.local/share/gemma-coder`. Unlike a cache, deleting it loses the ability to undo.
 *
 * @param options - Environment, platform and home folder.
 * @returns The absolute folder (not created).
 */
export function userDataDir(options: Omit<SessionDirOptions, "workspace" | "dir"> = {}): string {
  const env = options.env ?? process.env;
  const home = options.homedir ?? os.homedir();
  const platform = options.platform ?? process.platform;
  if (env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME)) {
    return path.join(env.XDG_DATA_HOME, "gemma-coder");
  }
  if (platform === "win32" && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, "gemma-coder");
  return path.join(home, ".local", "share", "gemma-coder");
}

/**
 * Decides where a workspace's sessions (transcripts and checkpoints) are kept:
 *
 * 1. `dir`, or the `GEMMA_CODER_SESSIONS_DIR` environment variable;
 * 2. else the user's data folder (see {@link userDataDir}) under
 *    `sessions/<workspace name>-<hash of its real path>`, so workspaces do not mix and a
 *    repository cannot plant sessions or checkpoints for `undo` to trust.
 *
 * Nothing is created.
 *
 * @param options - The workspace and the overrides.
 * @returns The folder and which rule chose it.
 */
export async function resolveSessionDir(options: SessionDirOptions = {}): Promise<SessionDir> {
  const env = options.env ?? process.env;
  const explicit = options.dir ?? env[SESSIONS_DIR_ENV];
  if (explicit) return { dir: path.resolve(explicit), location: "custom" };
  let name = "default";
  if (options.workspace !== undefined) {
    const given = path.resolve(options.workspace);
    // The real path, so the same folder reached through a link shares its sessions.
    const real = await fs.realpath(given).catch(() => given);
    const hash = createHash("sha256").update(real).digest("hex").slice(0, 16);
    const readable = (path.basename(real) || "root").replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 40);
    name = `${readable}-${hash}`;
  }
  return { dir: path.join(userDataDir(options), "sessions", name), location: "data" };
}
