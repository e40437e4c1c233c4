// Runs the real `gemma-coder` bin as a user would, in a temporary git repository, against
// loopback scripted model servers. `useCliHarness()` registers the hooks that create the
// repository before each test and kill children, close servers and remove files after.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach } from "vitest";
import { type ModelServer, startModelServer } from "./model-server.mjs";

/** The package folder. */
export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** The launcher. */
export const bin = path.join(packageDir, "bin", "gemma-coder.js");
/**
 * The messages of each chat request a scripted Ollama server received, in order: what the
 * model was sent (the map in the first, tool results in the later ones).
 */
export function chatMessages(model: ModelServer): Array<Array<{ role: string; content: string }>> {
  return model.requests
    .filter((request) => request.path === "/api/chat")
    .map(
      (request) =>
        (request.body as { messages: Array<{ role: string; content: string }> }).messages,
    );
}

/**
 * Plants a `verify` command for Python in the project's config (a folder nobody trusted)
 * and another in the user's config; each touches its own marker file when it runs.
 *
 * @param folders - The harness's root (home) and repository.
 * @returns The marker of the project's command and of the user's.
 */
export function plantVerifyCommands(folders: { root: string; repo: string }): {
  marker: string;
  userMarker: string;
} {
  const marker = path.join(folders.root, "VERIFY-RAN");
  const userMarker = path.join(folders.root, "USER-VERIFY-RAN");
  mkdirSync(path.join(folders.repo, ".gemma-coder"), { recursive: true });
  writeFileSync(
    path.join(folders.repo, ".gemma-coder", "config.json"),
    JSON.stringify({ verify: { python: `touch '${marker}'` } }),
  );
  mkdirSync(path.join(folders.root, "config", "gemma-coder"), { recursive: true });
  writeFileSync(
    path.join(folders.root, "config", "gemma-coder", "config.json"),
    JSON.stringify({ verify: { python: `touch '${userMarker}'` } }),
  );
  return { marker, userMarker };
}

/** Packages whose build the bin needs and that are not built. */
export const missingBuilds = ["cli", "core", "tools", "providers", "sessions", "repomap"].filter(
  (name) => !existsSync(path.join(packageDir, "..", name, "dist", "index.js")),
);
/** Whether python3 with its `pty` module is there (for the real-terminal test). */
export const hasPython =
  spawnSync("python3", ["-c", "import pty"], { stdio: "ignore" }).status === 0;
/** Whether git is there. */
export const hasGit = spawnSync("git", ["--version"], { stdio: "ignore" }).status === 0;

/** How a run of the bin ended. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of one launch. */
export interface LaunchOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** The command before the bin's path (default: this node). */
  command?: string[];
}

/** A launched bin. */
export interface StartedCli {
  child: ChildProcess;
  done: Promise<CliRun>;
  /** What it printed so far, stdout then stderr. */
  output: () => string;
  stdout: () => string;
}

/**
 * Waits until a condition holds.
 *
 * @param condition - Checked every 20 ms.
 * @param what - For the timeout message.
 * @param timeoutMs - How long to wait.
 */
export async function until(
  condition: () => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The processes whose command line contains a marker.
 *
 * @param marker - The text to look for.
 * @returns Their `ps` lines.
 */
export function processesMatching(marker: string): string[] {
  const ps = spawnSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
  return (ps.stdout ?? "")
    .split("\n")
    .filter((line) => line.includes(marker) && !line.includes("ps -eo"));
}

/**
 * Whether a process is alive: `ps` lists it and it is not a zombie waiting to be reaped.
 *
 * @param pid - The process id.
 * @returns `true` while it runs.
 */
export function processAlive(pid: number): boolean {
  const ps = spawnSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" });
  const state = (ps.stdout ?? "").trim();
  return state !== "" && !state.startsWith("Z");
}

/** The `--provider ollama --base-url <url>` flags. */
export const ollama = (url: string): string[] => ["--provider", "ollama", "--base-url", url];

/**
 * Registers the hooks and returns the helpers. Each test gets a fresh temporary folder
 * (`root`) holding a git repository (`repo`, with `calc.py`) and a clean environment
 * (no real config, cache, keys or Ollama address).
 */
export function useCliHarness() {
  const state = {
    root: "",
    repo: "",
    baseEnv: {} as Record<string, string>,
  };
  const servers: ModelServer[] = [];
  const children: ChildProcess[] = [];

  beforeEach(() => {
    state.root = mkdtempSync(path.join(os.tmpdir(), "gemma-coder-e2e-"));
    state.repo = path.join(state.root, "repo");
    mkdirSync(state.repo);
    if (hasGit) spawnSync("git", ["init", "-q"], { cwd: state.repo });
    writeFileSync(path.join(state.repo, "calc.py"), "def add(a, b):\n    return a - b\n");
    state.baseEnv = {
      PATH: process.env.PATH ?? "",
      HOME: state.root,
      XDG_CONFIG_HOME: path.join(state.root, "config"),
      XDG_CACHE_HOME: path.join(state.root, "cache"),
      GEMMA_CODER_CACHE: path.join(state.root, "cache", "models"),
      NO_COLOR: "1",
      ...(process.env.SYSTEMROOT ? { SYSTEMROOT: process.env.SYSTEMROOT } : {}),
    };
  });

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
    for (const server of servers.splice(0)) await server.close();
    rmSync(state.root, { recursive: true, force: true });
  });

  const start = (args: string[], options: LaunchOptions = {}): StartedCli => {
    const argv = [...(options.command ?? [process.execPath]), bin, ...args];
    const child = spawn(argv[0] as string, argv.slice(1), {
      cwd: options.cwd ?? state.repo,
      env: { ...state.baseEnv, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    children.push(child);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    const done = new Promise<CliRun>((resolve) => {
      child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
    return { child, done, output: () => stdout + stderr, stdout: () => stdout };
  };

  return {
    /** The test's temporary folder. */
    get root(): string {
      return state.root;
    },
    /** The repository the bin runs in. */
    get repo(): string {
      return state.repo;
    },
    /** The environment every launch starts from. */
    get baseEnv(): Record<string, string> {
      return state.baseEnv;
    },
    /** Starts a scripted model server, closed after the test. */
    async server(options: Parameters<typeof startModelServer>[0] = {}): Promise<ModelServer> {
      const started = await startModelServer(options);
      servers.push(started);
      return started;
    },
    start,
    /** Runs the bin to its end with `input` on stdin (nothing by default). */
    async run(args: string[], options: LaunchOptions & { input?: string } = {}): Promise<CliRun> {
      const started = start(args, options);
      started.child.stdin?.end(options.input ?? "");
      return started.done;
    },
    /** Reads a file of the repository. */
    read(file: string): string {
      return readFileSync(path.join(state.repo, file), "utf8");
    },
  };
}
