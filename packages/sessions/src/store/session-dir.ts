import { createHash } from "node:crypto";
import { constants, promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";

/** The environment variable that overrides where sessions are kept. */
export const SESSIONS_DIR_ENV = "GEMMA_CODER_SESSIONS_DIR";

/** The folder, relative to the workspace, that holds project sessions. */
export const PROJECT_SESSIONS_DIR = path.join(".gemma-coder", "sessions");

/** Options of {@link resolveSessionDir}. */
export interface SessionDirOptions {
  /** The workspace root. */
  workspace?: string | undefined;
  /** An explicit folder (from the user's configuration); wins over everything else. */
  dir?: string | undefined;
  /** The environment to read `GEMMA_CODER_SESSIONS_DIR` and `XDG_CACHE_HOME` from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The platform, for the cache folder's default. Default `process.platform`. */
  platform?: NodeJS.Platform;
  /** The home folder. Default `os.homedir()`. */
  homedir?: string;
}

/** Where sessions are kept, and why there. */
export interface SessionDir {
  /** The absolute folder. */
  dir: string;
  /**
   * `custom`: given by `dir` or `GEMMA_CODER_SESSIONS_DIR`; `project`: the workspace's
   * `.gemma-coder/sessions`; `cache`: the user's cache folder, one subfolder per workspace.
   */
  location: "custom" | "project" | "cache";
}

async function writable(folder: string): Promise<boolean> {
  try {
    await fs.access(folder, constants.W_OK);
    return true;
  } catch {
    return false;
  }
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
 * Decides where a workspace's sessions (transcripts and checkpoints) are kept:
 *
 * 1. `dir`, or the `GEMMA_CODER_SESSIONS_DIR` environment variable;
 * 2. the workspace's `.gemma-coder/sessions` when the workspace (or an existing
 *    `.gemma-coder` in it) is writable;
 * 3. else the user's cache folder (see {@link userCacheDir}) under
 *    `sessions/<workspace name>-<hash of its path>`, so workspaces do not mix.
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
  const workspace = options.workspace === undefined ? undefined : path.resolve(options.workspace);
  if (workspace !== undefined) {
    const dotDir = path.join(workspace, ".gemma-coder");
    const canWrite = (await exists(dotDir)) ? await writable(dotDir) : await writable(workspace);
    if (canWrite) return { dir: path.join(workspace, PROJECT_SESSIONS_DIR), location: "project" };
  }
  const name =
    workspace === undefined
      ? "default"
      : `${path.basename(workspace) || "root"}-${createHash("sha256").update(workspace).digest("hex").slice(0, 12)}`;
  return { dir: path.join(userCacheDir(options), "sessions", name), location: "cache" };
}

async function exists(target: string): Promise<boolean> {
  try {
    await fs.stat(target);
    return true;
  } catch {
    return false;
  }
}
