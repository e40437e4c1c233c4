import { promises as fs } from "node:fs";
import path from "node:path";
import { ToolError } from "@gemma-coder/core";
import type { SearchBackendName } from "../options.js";
import { resolveWorkspacePath } from "../paths/resolve-workspace-path.js";
import { pickBackend, runBackend, type SearchHit, type SearchQuery } from "./backends.js";
import { collectSearchFiles } from "./collect-files.js";

/** Options of {@link searchWorkspace}. */
export interface SearchWorkspaceOptions extends SearchQuery {
  /** The workspace root. */
  root: string;
  /** A folder or file inside the workspace (default: the root). */
  path?: string | undefined;
  /** A gitignore-style glob on paths relative to the root, e.g. `*.py` or `src/**\/*.ts`. */
  glob?: string | undefined;
  /** Which implementation (default: the first available). */
  backend?: SearchBackendName | "auto";
  /** The most hits returned. */
  maxHits: number;
  /** Give up after this long. */
  timeoutMs: number;
  /** Aborts the search. */
  signal?: AbortSignal | undefined;
}

/** What {@link searchWorkspace} found. */
export interface SearchWorkspaceResult {
  /** Hits in path order, then line order; at most `maxHits`. */
  hits: SearchHit[];
  /** More hits exist than were returned. */
  more: boolean;
  /** The search stopped at the timeout. */
  timedOut: boolean;
  /** The implementation used. */
  backend: SearchBackendName;
  /** How many files were searched. */
  searched: number;
  /** Files not searched because they are too large. */
  tooLarge: number;
  /** The searched location, relative to the root (`.` for the root). */
  where: string;
}

/**
 * Searches the workspace's text files line by line. Checks the query, resolves the path
 * inside the workspace, lists the files (see {@link collectSearchFiles}) and hands them
 * to a back-end.
 *
 * @param options - Query, location and limits.
 * @returns The hits.
 * @throws ToolError for an empty or multi-line pattern, a path outside the workspace, or an invalid pattern.
 */
export async function searchWorkspace(
  options: SearchWorkspaceOptions,
): Promise<SearchWorkspaceResult> {
  if (options.pattern === "") throw new ToolError("pattern is empty.");
  if (/[\r\n]/.test(options.pattern)) {
    throw new ToolError("search matches single lines: the pattern must not contain a line break.");
  }
  if (options.pattern.includes("\0")) throw new ToolError("The pattern contains a NUL byte.");
  let query: SearchQuery = {
    pattern: options.pattern,
    fixed: options.fixed,
    ignoreCase: options.ignoreCase,
  };
  // Models often write ripgrep's inline flag; JavaScript cannot read it, so every back-end
  // gets the plain flag instead and they keep agreeing.
  if (!query.fixed && query.pattern.startsWith("(?i)") && query.pattern.length > 4) {
    query = { ...query, pattern: query.pattern.slice(4), ignoreCase: true };
  }
  const resolved = await resolveWorkspacePath(options.root, options.path ?? ".");
  const stats = await fs.stat(resolved.absolute);
  const start = path.relative(resolved.root, resolved.absolute).split(path.sep).join("/") || ".";
  const collected = await collectSearchFiles({
    root: resolved.root,
    start,
    startIsDir: stats.isDirectory(),
    glob: options.glob,
    signal: options.signal,
  });
  const backend = await pickBackend(options.backend ?? "auto");
  const found = await runBackend(backend, {
    root: resolved.root,
    files: collected.files,
    query,
    maxHits: options.maxHits,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
  const hits = found.hits.map((hit) => ({
    ...hit,
    text: cleanLine(hit.text, hit.line),
  }));
  return {
    hits: hits.slice(0, options.maxHits),
    more: hits.length > options.maxHits,
    timedOut: found.timedOut,
    backend,
    searched: collected.files.length,
    tooLarge: collected.tooLarge,
    where: resolved.relative,
  };
}

function cleanLine(text: string, line: number): string {
  let clean = text.endsWith("\r") ? text.slice(0, -1) : text;
  if (line === 1 && clean.startsWith("\uFEFF")) clean = clean.slice(1);
  return clean;
}
