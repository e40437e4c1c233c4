import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import path from "node:path";
import ignore from "ignore";
import { BINARY_SNIFF_BYTES, binaryReason } from "../fs/text-file.js";
import { walkWorkspace } from "../fs/walk.js";

/** Files larger than this are not searched (their count is reported). */
export const MAX_SEARCH_FILE_BYTES = 20 * 1024 * 1024;
const SNIFF_SLICE = 256;
const MAX_GLOB_PATTERNS = 64;
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** The files a search will look at. */
export interface SearchFiles {
  /** Text files, relative to the root, `/`-separated, sorted. */
  files: string[];
  /** Files left out because they are larger than {@link MAX_SEARCH_FILE_BYTES}. */
  tooLarge: number;
  /** Files left out because they are binary. */
  binary: number;
}

/** Options of {@link collectSearchFiles}. */
export interface CollectOptions {
  /** The real workspace root. */
  root: string;
  /** A folder or file relative to the root, `/`-separated (`.` for the root). */
  start: string;
  /** Whether {@link start} is a folder. */
  startIsDir: boolean;
  /** A gitignore-style glob the file path (relative to the root) must match. */
  glob?: string | undefined;
  /** Stops the walk. */
  signal?: AbortSignal | undefined;
}

/**
 * Lists the text files a search covers: the walk of {@link walkWorkspace} (gitignore,
 * hidden names and `.git` skipped, links not followed), filtered by the glob, then each
 * file checked to be regular, not too large and not binary. Doing this once, for every
 * back-end, is what makes ripgrep, grep and the JavaScript search agree.
 *
 * @param options - Where to look.
 * @returns The files to search and how many were left out.
 */
export async function collectSearchFiles(options: CollectOptions): Promise<SearchFiles> {
  const candidates: string[] = [];
  if (options.startIsDir) {
    const glob = options.glob
      ? ignore({ ignorecase: false }).add(expandBraces(options.glob))
      : undefined;
    for await (const entry of walkWorkspace({
      root: options.root,
      start: options.start,
      signal: options.signal,
    })) {
      if (entry.kind !== "file") continue;
      if (glob && !glob.ignores(entry.path)) continue;
      candidates.push(entry.path);
    }
  } else {
    candidates.push(options.start);
  }
  const result: SearchFiles = { files: [], tooLarge: 0, binary: 0 };
  const verdicts = new Array<"text" | "binary" | "large" | "skip">(candidates.length);
  // Synchronous reads in slices: four awaited calls per file through the thread pool
  // cost ~10x more than the sniff itself on a large tree. Yielding between slices keeps
  // the event loop (and an abort) responsive.
  const sniff = Buffer.alloc(BINARY_SNIFF_BYTES);
  for (let start = 0; start < candidates.length; start += SNIFF_SLICE) {
    options.signal?.throwIfAborted();
    const end = Math.min(candidates.length, start + SNIFF_SLICE);
    for (let index = start; index < end; index++) {
      verdicts[index] = classify(path.join(options.root, candidates[index]!), sniff);
    }
    if (end < candidates.length) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  candidates.forEach((file, index) => {
    const verdict = verdicts[index];
    if (verdict === "text") result.files.push(file);
    else if (verdict === "binary") result.binary++;
    else if (verdict === "large") result.tooLarge++;
  });
  // Path order makes the output stable and groups a folder's hits together.
  result.files.sort();
  return result;
}

function classify(file: string, buffer: Buffer): "text" | "binary" | "large" | "skip" {
  let fd: number | undefined;
  try {
    fd = openSync(file, OPEN_FLAGS);
    const stats = fstatSync(fd);
    if (!stats.isFile()) return "skip";
    if (stats.size > MAX_SEARCH_FILE_BYTES) return "large";
    const bytesRead = readSync(fd, buffer, 0, Math.min(stats.size, buffer.length), 0);
    return binaryReason(buffer.subarray(0, bytesRead)) ? "binary" : "text";
  } catch {
    return "skip";
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Expands `{a,b}` alternatives in a glob (gitignore patterns have none, but models and
 * ripgrep users write `*.{ts,tsx}`).
 *
 * @param glob - The glob.
 * @returns One pattern per alternative.
 */
export function expandBraces(glob: string): string[] {
  const group = /\{([^{}]*,[^{}]*)\}/;
  let patterns = [glob];
  for (;;) {
    let changed = false;
    const next: string[] = [];
    for (const pattern of patterns) {
      const match = group.exec(pattern);
      if (!match) {
        next.push(pattern);
        continue;
      }
      changed = true;
      const before = pattern.slice(0, match.index);
      const after = pattern.slice(match.index + match[0].length);
      for (const choice of match[1]!.split(",")) next.push(before + choice + after);
    }
    // A cap keeps a hostile glob like {a,b}{a,b}{a,b}... from growing exponentially.
    patterns = next.slice(0, MAX_GLOB_PATTERNS);
    if (!changed) return patterns;
  }
}
