import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";

/** Where {@link repoMapCacheDir} looks. */
export interface CacheDirOptions {
  /** The workspace's real path; each workspace gets its own folder. */
  workspace: string;
  /** The environment (`XDG_CACHE_HOME`, `LOCALAPPDATA`). Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** The home folder. Default `os.homedir()`. */
  homedir?: string | undefined;
  /** The platform. Default `process.platform`. */
  platform?: NodeJS.Platform | undefined;
}

/**
 * The folder of a workspace's map cache, in the user's cache folder (the base the CLI
 * uses for models): `$XDG_CACHE_HOME/gemma-coder/repomap/<name>-<hash>`, else
 * `%LOCALAPPDATA%\gemma-coder\repomap\...` on Windows, else `~/.cache/gemma-coder/repomap/...`,
 * where `<hash>` is taken from the workspace's real path. Never inside the workspace: a
 * cloned repository must not be able to plant what the map believes about its files.
 *
 * @param options - The workspace and the environment.
 * @returns The absolute folder (not created).
 */
export function repoMapCacheDir(options: CacheDirOptions): string {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const home = options.homedir ?? os.homedir();
  let base: string;
  if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)) {
    base = path.join(env.XDG_CACHE_HOME, "gemma-coder");
  } else if (platform === "win32" && env.LOCALAPPDATA) {
    base = path.join(env.LOCALAPPDATA, "gemma-coder");
  } else {
    base = path.join(home, ".cache", "gemma-coder");
  }
  const hash = createHash("sha256").update(options.workspace).digest("hex").slice(0, 16);
  const name =
    path
      .basename(options.workspace)
      .replace(/[^\w.-]/g, "_")
      .slice(0, 40) || "root";
  return path.join(base, "repomap", `${name}-${hash}`);
}
