import { createHash } from "node:crypto";
import { promises as fs, realpathSync } from "node:fs";
import path from "node:path";
import { GemmaCoderError, repoMapBudget } from "@gemma-coder/core/basics";
import { repoMapCacheDir } from "./cache/cache-dir.js";
import {
  DEF_STRIDE,
  definitionAt,
  type PackedTags,
  REF_STRIDE,
  referenceAt,
  StringTable,
} from "./cache/packed-tags.js";
import { readTagCache, type TagCacheData, writeTagCache } from "./cache/tag-cache.js";
import { TAG_QUERIES } from "./languages/tag-queries.js";
import type { Definition, Reference } from "./parse/file-tags.js";
import { rankSymbols } from "./rank/rank-symbols.js";
import { taskTerms } from "./rank/task-terms.js";
import { type RenderedMap, renderMap } from "./render/render-map.js";
import { type IndexLimits, type IndexStats, indexWorkspace } from "./scan/index-workspace.js";
import { DEFAULT_SKIP_LIMITS } from "./scan/skip-reason.js";

/** Options of {@link RepoMap}. */
export interface RepoMapOptions {
  /** The workspace folder. */
  root: string;
  /**
   * Where the per-file cache is kept: a folder, or `false` for none (memory only).
   * Default: the user's cache folder (see `repoMapCacheDir`), never the workspace.
   */
  cacheDir?: string | false | undefined;
  /** The environment used to find the default cache folder. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Files larger than this are listed by name only (bytes). Default 512 KiB. */
  maxFileBytes?: number | undefined;
  /** A line longer than this marks a file as minified. Default 2,000 characters. */
  maxLineChars?: number | undefined;
  /** Most files looked at. Default 20,000. */
  maxFiles?: number | undefined;
  /** Per-file parse budget in milliseconds. Default 1,000. */
  parseTimeoutMs?: number | undefined;
}

/** What to fit the map to. */
export interface RenderOptions {
  /** The task text: identifiers and paths it names rank first. */
  task?: string | undefined;
  /**
   * Files or folders to centre the map on (workspace-relative), besides those edited so
   * far; a folder stands for every file in it.
   */
  focus?: readonly string[] | undefined;
  /** The budget in tokens. Default {@link defaultMapTokens} of an 8k window (1,024). */
  maxTokens?: number | undefined;
  /** Stops the refresh. */
  signal?: AbortSignal | undefined;
}

/** A definition found by {@link RepoMap.findSymbol}. */
export interface SymbolLocation extends Definition {
  /** Workspace-relative path. */
  file: string;
}

/** A file listed by name only, and why. */
export interface SkippedFile {
  /** Workspace-relative path. */
  file: string;
  /** Too large, minified, generated, binary, unreadable, or parsing took too long. */
  reason: string;
}

/** What a symbol search found. */
export interface SymbolSearch<T> {
  /** The first results, up to the limit. */
  results: T[];
  /** How many there were in all. */
  total: number;
}

/** Options of {@link RepoMap.findSymbol} and {@link RepoMap.findReferences}. */
export interface SymbolSearchOptions {
  /** The most results returned. */
  limit?: number;
  /** Stops the refresh. */
  signal?: AbortSignal | undefined;
}

/** A use found by {@link RepoMap.findReferences}. */
export interface ReferenceLocation extends Reference {
  /** Workspace-relative path. */
  file: string;
}

/**
 * The default map budget for a context window: an eighth of it, between 256 and 4,096
 * tokens (1,024 at 8k).
 *
 * @param contextWindow - The model's window in tokens.
 * @returns The budget in tokens.
 */
export function defaultMapTokens(contextWindow: number): number {
  return repoMapBudget(contextWindow);
}

// Changes whenever the queries change, so a cache from older queries is not reused; the
// number goes up when what is cached per file changes (5: fewer files taken for generated).
const CACHE_FORMAT = `repomap-5-${createHash("sha256").update(JSON.stringify(TAG_QUERIES)).digest("hex").slice(0, 12)}`;

/**
 * A map of one workspace: the definitions and references of its source files (parsed with
 * tree-sitter, cached on disk per file by content hash and updated incrementally), ranked
 * for a task and fitted to a token budget; also the index behind `find_symbol` and
 * `find_references`.
 */
export class RepoMap {
  /** The workspace's real path. */
  readonly root: string;
  private readonly cacheFile: string | undefined;
  private readonly limits: IndexLimits;
  private cache: TagCacheData | undefined;
  private files = new Map<string, PackedTags>();
  private readonly touched = new Set<string>();
  private refreshing: Promise<IndexStats> | undefined;
  private stats: IndexStats | undefined;

  /**
   * @param options - The workspace, the cache folder and the limits.
   * @throws GemmaCoderError `invalid-argument` when `root` is not an existing folder.
   */
  constructor(options: RepoMapOptions) {
    try {
      this.root = realpathSync(path.resolve(options.root));
    } catch (error) {
      throw new GemmaCoderError(`The workspace root ${options.root} does not exist.`, {
        code: "invalid-argument",
        cause: error,
      });
    }
    const dir =
      options.cacheDir === false
        ? undefined
        : (options.cacheDir ?? repoMapCacheDir({ workspace: this.root, env: options.env }));
    this.cacheFile = dir === undefined ? undefined : path.join(dir, "tags.bin");
    this.limits = {
      maxFileBytes: options.maxFileBytes ?? DEFAULT_SKIP_LIMITS.maxFileBytes,
      maxLineChars: options.maxLineChars ?? DEFAULT_SKIP_LIMITS.maxLineChars,
      maxFiles: options.maxFiles ?? 20_000,
      parseTimeoutMs: options.parseTimeoutMs ?? 1000,
    };
  }

  /**
   * Brings the index up to date with the disk: only new and changed files are parsed,
   * and the cache file is rewritten when anything changed. Concurrent calls share one
   * refresh.
   *
   * @param signal - Stops the refresh.
   * @returns What was done.
   */
  refresh(signal?: AbortSignal): Promise<IndexStats> {
    this.refreshing ??= this.refreshOnce(signal).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refreshOnce(signal: AbortSignal | undefined): Promise<IndexStats> {
    this.cache ??= this.cacheFile
      ? await readTagCache(this.cacheFile, CACHE_FORMAT)
      : { table: new StringTable(), files: new Map(), tags: new Map() };
    const before = this.cache.files.size;
    const { files, stats } = await indexWorkspace(this.root, this.cache, this.limits, signal);
    this.files = files;
    this.stats = stats;
    const changed = stats.parsed > 0 || stats.rehashed > 0 || this.cache.files.size !== before;
    // A cache that cannot be written only costs time on the next start.
    if (changed && this.cacheFile) {
      await writeTagCache(this.cacheFile, CACHE_FORMAT, this.cache).catch(() => {});
      // The layout before tags.bin; never read again.
      await fs
        .rm(path.join(path.dirname(this.cacheFile), "tags.json"), { force: true })
        .catch(() => {});
    }
    return stats;
  }

  // The strings the index's tags refer to.
  private get strings(): StringTable {
    return this.cache?.table ?? new StringTable();
  }

  /**
   * What the last refresh did (also the one {@link render} and the searches start with),
   * or `undefined` before the first.
   */
  get lastRefresh(): IndexStats | undefined {
    return this.stats;
  }

  /**
   * Records that a file was changed (by an edit tool), so later maps centre on it.
   *
   * @param file - Workspace-relative path.
   */
  noteTouched(file: string): void {
    this.touched.add(file.replace(/\\/g, "/"));
  }

  /**
   * Refreshes the index and renders the map for a task within a token budget.
   *
   * @param options - Task, focus files, budget and abort signal.
   * @returns The map and its size.
   */
  async render(options: RenderOptions = {}): Promise<RenderedMap> {
    await this.refresh(options.signal);
    const focus = new Set([...this.touched, ...this.focusFiles(options.focus ?? [])]);
    const maxTokens = options.maxTokens ?? defaultMapTokens(8192);
    const index = { files: this.files, strings: this.strings };
    // Every entry of a map is at least one token: no more than maxTokens definitions fit.
    const ranking = rankSymbols(index, { terms: taskTerms(options.task ?? ""), focus }, maxTokens);
    return renderMap(ranking, maxTokens);
  }

  /** The indexed files a focus list names: each path itself, or the files of a folder. */
  private focusFiles(paths: readonly string[]): string[] {
    const files: string[] = [];
    for (const entry of paths) {
      const file = normalise(entry).replace(/\/+$/, "");
      if (file === "" || file === ".") continue;
      if (this.files.has(file)) files.push(file);
      else {
        const prefix = `${file}/`;
        for (const known of this.files.keys()) if (known.startsWith(prefix)) files.push(known);
      }
    }
    return files;
  }

  /**
   * The files the last refresh listed by name only, and why (too large, minified,
   * generated, binary, parsing took too long).
   *
   * @returns Path and reason, in path order.
   */
  skippedFiles(): SkippedFile[] {
    return sorted(this.files).flatMap(([file, tags]) =>
      tags.skipped ? [{ file, reason: tags.skipped }] : [],
    );
  }

  /**
   * Where a name is defined, after a refresh. Exact matches first, then
   * case-insensitive ones.
   *
   * @param name - The identifier.
   * @param options - The most results (default 20) and an abort signal.
   * @returns The definitions, and how many there were in all.
   */
  async findSymbol(
    name: string,
    options: SymbolSearchOptions = {},
  ): Promise<SymbolSearch<SymbolLocation>> {
    await this.refresh(options.signal);
    const lowered = name.toLowerCase();
    const exact: SymbolLocation[] = [];
    const loose: SymbolLocation[] = [];
    const { strings } = this;
    for (const [file, tags] of sorted(this.files)) {
      for (let k = 0; k < tags.defs.length; k += DEF_STRIDE) {
        const candidate = strings.at(tags.defs[k] as number);
        const list =
          candidate === name ? exact : candidate.toLowerCase() === lowered ? loose : undefined;
        list?.push({ file, ...definitionAt(tags, k / DEF_STRIDE, strings) });
      }
    }
    const all = [...exact, ...loose];
    return { results: all.slice(0, options.limit ?? 20), total: all.length };
  }

  /**
   * Where a name is used (calls, type uses, imports), after a refresh.
   *
   * @param name - The identifier (exact).
   * @param options - The most results (default 50) and an abort signal.
   * @returns The uses, and how many there were in all.
   */
  async findReferences(
    name: string,
    options: SymbolSearchOptions = {},
  ): Promise<SymbolSearch<ReferenceLocation>> {
    await this.refresh(options.signal);
    const all: ReferenceLocation[] = [];
    const { strings } = this;
    for (const [file, tags] of sorted(this.files)) {
      for (let k = 0; k < tags.refs.length; k += REF_STRIDE) {
        if (strings.at(tags.refs[k] as number) === name)
          all.push({ file, ...referenceAt(tags, k / REF_STRIDE, strings) });
      }
    }
    return { results: all.slice(0, options.limit ?? 50), total: all.length };
  }
}

function normalise(file: string): string {
  return file.replace(/\\/g, "/").replace(/^\.\//, "");
}

function sorted(files: ReadonlyMap<string, PackedTags>): Array<[string, PackedTags]> {
  return [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
