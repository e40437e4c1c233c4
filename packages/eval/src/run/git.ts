import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { GemmaCoderError } from "@gemma-coder/core";

/** Git never asks for a password or opens an editor during an eval. */
const GIT_ENV = { GIT_TERMINAL_PROMPT: "0", GIT_EDITOR: "true", GCM_INTERACTIVE: "never" };
const GIT_TIMEOUT_MS = 15 * 60_000;

/**
 * Runs git with arguments (no shell), bounded in time.
 *
 * @param args - The arguments.
 * @param cwd - Where to run it.
 * @param signal - Cancels it.
 * @returns Its standard output.
 * @throws GemmaCoderError `config` with git's message when it fails.
 */
export function git(args: readonly string[], cwd: string, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      args,
      {
        cwd,
        env: { ...process.env, ...GIT_ENV },
        timeout: GIT_TIMEOUT_MS,
        maxBuffer: 16 * 1024 * 1024,
        ...(signal ? { signal } : {}),
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        reject(
          new GemmaCoderError(
            `git ${args.join(" ")} failed: ${String(stderr).trim() || error.message}`,
            { code: "config", cause: error },
          ),
        );
      },
    );
  });
}

// One clone per repository at a time, shared by the runs that need it.
const cloning = new Map<string, Promise<string>>();

/**
 * A local clone of a repository, made once in the cache folder and reused by every run:
 * each run then clones this copy (sharing its objects), which takes no network.
 *
 * @param repository - A URL, or a local path.
 * @param commit - A commit the clone must hold; fetched when it does not.
 * @param cacheDir - Where clones are kept.
 * @param signal - Cancels the clone.
 * @returns The clone's folder.
 */
export function cachedClone(
  repository: string,
  commit: string,
  cacheDir: string,
  signal?: AbortSignal,
): Promise<string> {
  const key = `${repository}\n${commit}`;
  let pending = cloning.get(key);
  if (!pending) {
    pending = ensureClone(repository, commit, cacheDir, signal);
    cloning.set(key, pending);
    pending.catch(() => cloning.delete(key));
  }
  return pending;
}

async function ensureClone(
  repository: string,
  commit: string,
  cacheDir: string,
  signal?: AbortSignal,
): Promise<string> {
  const name = createHash("sha256").update(repository).digest("hex").slice(0, 16);
  const dir = path.join(cacheDir, name);
  const exists = await fs.stat(path.join(dir, ".git")).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await fs.mkdir(cacheDir, { recursive: true });
    const partial = `${dir}.partial-${process.pid}`;
    await fs.rm(partial, { recursive: true, force: true });
    await git(["clone", "--quiet", "--no-checkout", repository, partial], cacheDir, signal);
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(partial, dir);
  }
  const hasCommit = await git(["cat-file", "-e", `${commit}^{commit}`], dir).then(
    () => true,
    () => false,
  );
  if (!hasCommit) await git(["fetch", "--quiet", "origin", commit], dir, signal);
  return dir;
}
