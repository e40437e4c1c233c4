import { spawn } from "node:child_process";
import { Worker } from "node:worker_threads";
import { ToolError } from "@gemma-coder/core";
import { abortError } from "@gemma-coder/core/internal";
import type { SearchBackendName } from "../options.js";
import { findExecutable } from "./find-executable.js";
import { LineSplitter } from "./line-splitter.js";

/** What to look for. */
export interface SearchQuery {
  /** A regular expression, or literal text when {@link fixed}. */
  pattern: string;
  /** Take the pattern as literal text. */
  fixed: boolean;
  /** Match regardless of case. */
  ignoreCase: boolean;
}

/** One matching line. */
export interface SearchHit {
  /** The file, relative to the workspace root, `/`-separated. */
  path: string;
  /** The 1-based line number. */
  line: number;
  /** The line, without its line end (very long lines are cut). */
  text: string;
}

/** One run of a back-end over a list of files. */
export interface BackendRun {
  /** The real workspace root; commands run there. */
  root: string;
  /** Text files to search, relative to the root, `/`-separated, in output order. */
  files: readonly string[];
  /** What to look for. */
  query: SearchQuery;
  /** Stop after this many hits (one more is collected to tell that more exist). */
  maxHits: number;
  /** Give up after this long and return what was found. */
  timeoutMs: number;
  /** Aborts the search. */
  signal?: AbortSignal | undefined;
}

/** What a back-end found. */
export interface BackendResult {
  /** Hits in file order, then line order. At most `maxHits + 1`. */
  hits: SearchHit[];
  /** The search gave up because of the timeout. */
  timedOut: boolean;
}

/** Lines longer than this are cut while parsing, whatever the back-end. */
export const MAX_HIT_LINE_BYTES = 64 * 1024;
// Command lines stay below the smallest limit of the platform (Windows: 32K characters).
const MAX_BATCH_CHARS = process.platform === "win32" ? 24_000 : 100_000;

/**
 * Picks the search implementation: ripgrep when it is on `PATH`, else grep, else the
 * built-in JavaScript one.
 *
 * @param preferred - A forced choice, or `auto`.
 * @returns The back-end's name.
 */
export async function pickBackend(
  preferred: SearchBackendName | "auto",
): Promise<SearchBackendName> {
  if (preferred !== "auto") return preferred;
  if (await findExecutable("rg")) return "rg";
  if (await findExecutable("grep")) return "grep";
  return "js";
}

/**
 * Searches files with the named back-end. All three take the same files (the caller
 * walks the tree, honouring `.gitignore`, and leaves out binary files), treat them as
 * text and report hits in the same order, so their results are interchangeable.
 *
 * @param backend - Which implementation.
 * @param run - The files, query and limits.
 * @returns The hits.
 * @throws ToolError when the pattern is invalid for the back-end, or the program is missing.
 */
export async function runBackend(
  backend: SearchBackendName,
  run: BackendRun,
): Promise<BackendResult> {
  if (run.files.length === 0) return { hits: [], timedOut: false };
  if (backend === "js") return searchWithWorker(run);
  const program = await findExecutable(backend);
  if (!program) throw new ToolError(`The search program ${backend} is not installed.`);
  return searchWithProcess(program, backend, run);
}

function processArgs(backend: "rg" | "grep", query: SearchQuery): string[] {
  // The pattern always follows -e and the files follow --, so neither can become an option.
  if (backend === "rg") {
    return [
      "--no-config",
      "--no-heading",
      "--with-filename",
      "--line-number",
      "--null",
      "--color",
      "never",
      "--text",
      "--no-messages",
      // One file after another in the given order, like grep: with a match cap, the
      // hits kept must not depend on thread timing.
      "--sort",
      "path",
      ...(query.fixed ? ["--fixed-strings"] : []),
      ...(query.ignoreCase ? ["--ignore-case"] : []),
      "-e",
      query.pattern,
      "--",
    ];
  }
  return [
    "-n",
    "-H",
    "--null",
    "-a",
    "-s",
    query.fixed ? "-F" : "-P",
    ...(query.ignoreCase ? ["-i"] : []),
    "-e",
    query.pattern,
    "--",
  ];
}

function batches(files: readonly string[]): string[][] {
  const result: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const file of files) {
    if (current.length > 0 && size + file.length + 1 > MAX_BATCH_CHARS) {
      result.push(current);
      current = [];
      size = 0;
    }
    current.push(file);
    size += file.length + 1;
  }
  if (current.length > 0) result.push(current);
  return result;
}

async function searchWithProcess(
  program: string,
  backend: "rg" | "grep",
  run: BackendRun,
): Promise<BackendResult> {
  const deadline = Date.now() + run.timeoutMs;
  const order = new Map(run.files.map((file, index) => [file, index]));
  const hits: SearchHit[] = [];
  const args = processArgs(backend, run.query);
  for (const batch of batches(run.files)) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { hits: sortHits(hits, order), timedOut: true };
    const outcome = await runBatch(program, [...args, ...batch], run, remaining, (hit) => {
      hits.push(hit);
      return hits.length <= run.maxHits;
    });
    if (outcome.error && hits.length === 0) {
      throw new ToolError(
        `Invalid search pattern: ${outcome.error}. Set fixed: true to search for the literal text.`,
      );
    }
    if (outcome.timedOut) return { hits: sortHits(hits, order), timedOut: true };
    if (hits.length > run.maxHits) break;
  }
  return { hits: sortHits(hits, order).slice(0, run.maxHits + 1), timedOut: false };
}

function sortHits(hits: SearchHit[], order: Map<string, number>): SearchHit[] {
  return hits.sort(
    (a, b) => (order.get(a.path) ?? 0) - (order.get(b.path) ?? 0) || a.line - b.line,
  );
}

function runBatch(
  program: string,
  args: string[],
  run: BackendRun,
  timeoutMs: number,
  onHit: (hit: SearchHit) => boolean,
): Promise<{ error?: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: "C" };
    // Settings files and colour variables could change the output format.
    env.RIPGREP_CONFIG_PATH = undefined;
    env.GREP_OPTIONS = undefined;
    env.GREP_COLORS = undefined;
    env.GREP_COLOR = undefined;
    const child = spawn(program, args, {
      cwd: run.root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
    });
    let stopped = false;
    let timedOut = false;
    let stderr = "";
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      child.kill("SIGKILL");
    };
    const splitter = new LineSplitter(MAX_HIT_LINE_BYTES, (line) => {
      if (stopped) return;
      const hit = parseHit(line);
      if (hit && !onHit(hit)) stop();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, timeoutMs);
    const onAbort = (): void => stop();
    run.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (chunk: Buffer) => splitter.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString("utf8");
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      run.signal?.removeEventListener("abort", onAbort);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      run.signal?.removeEventListener("abort", onAbort);
      if (run.signal?.aborted) {
        reject(abortError(run.signal));
        return;
      }
      if (!stopped) splitter.end();
      const message = stderr
        .split("\n")
        .map((line) => line.replace(/^(grep|rg): /, "").trim())
        .filter(Boolean)
        .slice(0, 4)
        .join(" ");
      resolve(!stopped && code === 2 && message ? { error: message, timedOut } : { timedOut });
    });
  });
}

function parseHit(line: Buffer): SearchHit | undefined {
  const nul = line.indexOf(0);
  if (nul === -1) return undefined;
  const colon = line.indexOf(58, nul + 1);
  if (colon === -1) return undefined;
  const number = Number(line.subarray(nul + 1, colon).toString("latin1"));
  if (!Number.isInteger(number)) return undefined;
  let file = line.subarray(0, nul).toString("utf8");
  if (file.startsWith("./")) file = file.slice(2);
  if (process.platform === "win32") file = file.replaceAll("\\", "/");
  return { path: file, line: number, text: line.subarray(colon + 1).toString("utf8") };
}

// Runs in a worker thread so a pathological regular expression can be stopped: a
// catastrophic backtrack would otherwise freeze the whole agent.
// The source must run both as a CommonJS script and as an ES module (a worker evaluates it
// as whatever the parent process was started with, e.g. --input-type=module), so it
// loads its modules with dynamic import().
const WORKER_SOURCE = `
(async () => {
const { parentPort, workerData } = await import("node:worker_threads");
const fs = await import("node:fs");
const path = await import("node:path");
function main() {
  const { root, files, source, ignoreCase, maxHits, maxLineChars } = workerData;
  let regex;
  try {
    regex = new RegExp(source, ignoreCase ? "i" : "");
  } catch (error) {
    return { error: String((error && error.message) || error) };
  }
  const flags =
    fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW || 0) | (fs.constants.O_NONBLOCK || 0);
  const hits = [];
  for (const file of files) {
    let text;
    try {
      const fd = fs.openSync(path.join(root, file), flags);
      try {
        text = fs.readFileSync(fd, "utf8");
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      continue;
    }
    let line = 0;
    let from = 0;
    while (from < text.length) {
      let end = text.indexOf("\\n", from);
      if (end === -1) end = text.length;
      line++;
      const content = text.slice(from, end);
      if (regex.test(content)) {
        hits.push({ path: file, line, text: content.slice(0, maxLineChars) });
        if (hits.length > maxHits) return { hits };
      }
      from = end + 1;
    }
  }
  return { hits };
}
parentPort.postMessage(main());
})();
`;

function searchWithWorker(run: BackendRun): Promise<BackendResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        root: run.root,
        files: run.files,
        source: run.query.fixed ? escapeRegExp(run.query.pattern) : run.query.pattern,
        ignoreCase: run.query.ignoreCase,
        maxHits: run.maxHits,
        maxLineChars: MAX_HIT_LINE_BYTES,
      },
    });
    let settled = false;
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      run.signal?.removeEventListener("abort", onAbort);
      action();
      void worker.terminate();
    };
    const timer = setTimeout(
      () => finish(() => resolve({ hits: [], timedOut: true })),
      run.timeoutMs,
    );
    const onAbort = (): void => finish(() => reject(abortError(run.signal)));
    run.signal?.addEventListener("abort", onAbort, { once: true });
    worker.on("message", (message: { hits?: SearchHit[]; error?: string }) => {
      finish(() => {
        if (message.error !== undefined) {
          reject(
            new ToolError(
              `Invalid search pattern: ${message.error}. Set fixed: true to search for the literal text.`,
            ),
          );
        } else {
          resolve({ hits: message.hits ?? [], timedOut: false });
        }
      });
    });
    worker.on("error", (error) => finish(() => reject(error)));
    worker.on("exit", () =>
      finish(() => reject(new ToolError("The search stopped unexpectedly."))),
    );
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
