// Test support: temporary folders and git repositories. Not part of the package's API.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";

/** A temporary folder with helpers, removed by `cleanup`. */
export interface TempWorkspace {
  /** The folder that holds everything. */
  base: string;
  /** The workspace root. */
  root: string;
  /** The sessions folder (outside the workspace unless told otherwise). */
  sessions: string;
  /** Writes files relative to the root. */
  write(files: Record<string, string>): Promise<void>;
  /** Reads a file relative to the root, or `undefined` when missing. */
  read(rel: string): Promise<string | undefined>;
  /** Runs git in the root and returns its output. */
  git(...args: string[]): string;
  /** Everything the user's git state consists of, to compare before and after. */
  gitState(): Promise<Record<string, string>>;
  /** Removes everything. */
  cleanup(): Promise<void>;
}

/** Creates a temporary workspace; with `git`, an initialised repository with one commit. */
export async function makeWorkspace(options: { git?: boolean } = {}): Promise<TempWorkspace> {
  const base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), "gemma-sessions-")));
  const root = path.join(base, "ws");
  const sessions = path.join(base, "sessions");
  await fs.mkdir(root);
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: root,
      encoding: "utf8",
      env: {
        ...process.env,
        GIT_OPTIONAL_LOCKS: "0",
        GIT_CONFIG_GLOBAL: "/dev/null",
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_AUTHOR_NAME: "Test",
        GIT_AUTHOR_EMAIL: "test@example.invalid",
        GIT_COMMITTER_NAME: "Test",
        GIT_COMMITTER_EMAIL: "test@example.invalid",
      },
    });
  const workspace: TempWorkspace = {
    base,
    root,
    sessions,
    async write(files) {
      for (const [rel, text] of Object.entries(files)) {
        const file = path.join(root, rel);
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, text);
      }
    },
    async read(rel) {
      try {
        return await fs.readFile(path.join(root, rel), "utf8");
      } catch {
        return undefined;
      }
    },
    git,
    async gitState() {
      const index = await fs.readFile(path.join(root, ".git", "index"));
      return {
        head: git("rev-parse", "HEAD"),
        branch: git("symbolic-ref", "HEAD"),
        status: git("status", "--porcelain=v2", "--untracked-files=all"),
        staged: git("diff", "--cached"),
        unstaged: git("diff"),
        stash: git("stash", "list"),
        branches: git("branch", "--list"),
        index: createHash("sha256").update(index).digest("hex"),
      };
    },
    async cleanup() {
      await fs.rm(base, { recursive: true, force: true });
    },
  };
  if (options.git) {
    git("init", "-q", "-b", "main");
    await workspace.write({ ".gitignore": "build/\n" });
    git("add", ".");
    git("commit", "-q", "-m", "initial");
  }
  return workspace;
}
