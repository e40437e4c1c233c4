import { spawn } from "node:child_process";

/** Options of {@link git}. */
export interface GitOptions {
  /** The folder to run in. */
  cwd: string;
  /** Extra environment variables (e.g. a temporary `GIT_INDEX_FILE`). */
  env?: Record<string, string>;
  /** Standard input. */
  input?: string | Buffer;
  /** The git executable. Default `git`. */
  binary?: string;
}

/** A git command that failed, with its standard error. */
export class GitCommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly spawnCode?: string,
  ) {
    super(message);
    this.name = "GitCommandError";
  }
}

// Identity for checkpoint commits: they must work where the user never set one.
const IDENTITY = {
  GIT_AUTHOR_NAME: "gemma-coder",
  GIT_AUTHOR_EMAIL: "checkpoints@gemma-coder.invalid",
  GIT_COMMITTER_NAME: "gemma-coder",
  GIT_COMMITTER_EMAIL: "checkpoints@gemma-coder.invalid",
};

/**
 * Runs git and resolves with its standard output. Prompts are off, and optional locks
 * are off so read commands never rewrite the user's index.
 *
 * @internal
 */
export function git(args: readonly string[], options: GitOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.binary ?? "git", args, {
      cwd: options.cwd,
      env: {
        ...process.env,
        ...IDENTITY,
        GIT_TERMINAL_PROMPT: "0",
        GIT_OPTIONAL_LOCKS: "0",
        LC_ALL: "C",
        ...options.env,
      },
      stdio: ["pipe", "pipe", "pipe"],
      windowsHide: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error: NodeJS.ErrnoException) => {
      reject(new GitCommandError(`git could not start: ${error.message}`, null, "", error.code));
    });
    child.on("close", (code) => {
      const stderr = Buffer.concat(err).toString("utf8").trim();
      if (code === 0) resolve(Buffer.concat(out));
      else {
        reject(
          new GitCommandError(
            `git ${args[0] ?? ""} failed (exit ${code}): ${stderr || "no message"}`,
            code,
            stderr,
          ),
        );
      }
    });
    // A command that exits before reading its input must not crash us with EPIPE.
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
  });
}

/**
 * Runs git and returns its output as trimmed text.
 *
 * @internal
 */
export async function gitText(args: readonly string[], options: GitOptions): Promise<string> {
  return (await git(args, options)).toString("utf8").trim();
}
