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
 * Settings given on the command line of every internal git command. Command-line
 * settings win over the repository's `.git/config`, which a cloned repository controls,
 * so none of the programs it could name runs: no file-system monitor, hooks, pager,
 * external diff, gpg, or automatic maintenance. The commands used are plumbing that
 * does not run filters or textconv (`hash-object --no-filters`, `cat-file blob`).
 */
export const SAFE_GIT_CONFIG: readonly string[] = [
  "core.fsmonitor=false",
  "core.hooksPath=/dev/null",
  "core.pager=cat",
  "core.editor=true",
  "core.sshCommand=false",
  "core.askPass=",
  "core.untrackedCache=false",
  "credential.helper=",
  "diff.external=",
  "commit.gpgSign=false",
  "tag.gpgSign=false",
  "gpg.program=false",
  "gc.auto=0",
  "maintenance.auto=false",
  "protocol.allow=never",
].flatMap((setting) => ["-c", setting]);

/** Environment variables that would let the environment name a program for git to run. */
const UNSAFE_GIT_ENV = [
  "GIT_EXTERNAL_DIFF",
  "GIT_PAGER",
  "GIT_ASKPASS",
  "SSH_ASKPASS",
  "GIT_SSH",
  "GIT_SSH_COMMAND",
  "GIT_EDITOR",
  "GIT_CONFIG_PARAMETERS",
  "GIT_CONFIG_COUNT",
];

function gitEnvironment(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of UNSAFE_GIT_ENV) delete env[name];
  return {
    ...env,
    ...IDENTITY,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    GIT_OPTIONAL_LOCKS: "0",
    GIT_PAGER: "cat",
    LC_ALL: "C",
    ...extra,
  };
}

/**
 * Runs git and resolves with its standard output. Prompts are off, optional locks are
 * off so read commands never rewrite the user's index, and {@link SAFE_GIT_CONFIG}
 * keeps the repository's configuration from running any program.
 *
 * @internal
 */
export function git(args: readonly string[], options: GitOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.binary ?? "git", [...SAFE_GIT_CONFIG, ...args], {
      cwd: options.cwd,
      env: gitEnvironment(options.env),
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
