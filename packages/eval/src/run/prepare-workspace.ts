import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { EvalOverlay, EvalTask } from "../suite/types.js";
import { cachedClone, git } from "./git.js";

/** A fresh workspace for one run. */
export interface Workspace {
  /** The folder the agent works in. */
  dir: string;
  /** Removes it and everything in it. */
  remove(): Promise<void>;
}

/** Options of {@link prepareWorkspace}. */
export interface PrepareWorkspaceOptions {
  /** Where clones of git fixtures are cached. */
  gitCacheDir: string;
  /** Where workspaces are made. Default: the system's temporary folder. */
  tmpDir?: string | undefined;
  /** Cancels a clone. */
  signal?: AbortSignal | undefined;
}

/**
 * Makes a fresh copy of a task's fixture in a new temporary folder: the fixture folder
 * copied, or the git repository checked out at the task's commit (from a cached clone).
 * Runs never share a workspace, so one run cannot see another's changes.
 *
 * @param task - The task.
 * @param options - Where clones are cached and workspaces made.
 * @returns The workspace.
 */
export async function prepareWorkspace(
  task: EvalTask,
  options: PrepareWorkspaceOptions,
): Promise<Workspace> {
  const parent = await fs.mkdtemp(path.join(options.tmpDir ?? os.tmpdir(), "gemma-coder-eval-"));
  const dir = path.join(parent, task.id);
  const remove = () => fs.rm(parent, { recursive: true, force: true });
  try {
    if (task.fixture.kind === "folder") {
      await fs.cp(task.fixture.path, dir, { recursive: true });
    } else {
      const repository = repositoryLocation(task.fixture.repository, task.dir);
      const cache = await cachedClone(
        repository,
        task.fixture.commit,
        options.gitCacheDir,
        options.signal,
      );
      await git(["clone", "--quiet", "--shared", "--no-checkout", cache, dir], parent);
      await git(["checkout", "--quiet", "--detach", task.fixture.commit], dir);
    }
  } catch (error) {
    await remove();
    throw error;
  }
  return { dir, remove };
}

/** A URL as it is; a path relative to the task folder made absolute. */
function repositoryLocation(repository: string, taskDir: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\/|^[^/\\]+@[^/\\]+:/i.test(repository)
    ? repository
    : path.resolve(taskDir, repository);
}

/**
 * Lays the task's overlay over the workspace (after the agent, before the checks): the
 * overlay folder's files replace the workspace's, or the listed paths are checked out
 * from the overlay commit. So a check runs the task's own tests, whatever the agent did
 * to them.
 *
 * @param overlay - The overlay, if the task has one.
 * @param dir - The workspace.
 */
export async function applyOverlay(overlay: EvalOverlay | undefined, dir: string): Promise<void> {
  if (!overlay) return;
  if (overlay.kind === "folder") {
    await fs.cp(overlay.path, dir, { recursive: true, force: true });
    return;
  }
  await git(["checkout", "--quiet", overlay.commit, "--", ...overlay.paths], dir);
}
