import { createHash } from "node:crypto";
import { constants, promises as fs, statSync } from "node:fs";
import path from "node:path";
import { walkWorkspace } from "@gemma-coder/tools/walk";
import { NO_TAGS, type PackedTags, packTags } from "../cache/packed-tags.js";
import type { CachedStat, TagCacheData } from "../cache/tag-cache.js";
import { languageOf } from "../languages/languages.js";
import { extractTags, PARSE_TIMED_OUT } from "../parse/extract-tags.js";
import { type SkipLimits, skipAfterReading, skipBeforeReading } from "./skip-reason.js";

/** Limits of {@link indexWorkspace}. */
export interface IndexLimits extends SkipLimits {
  /** Most files looked at; the walk stops there. */
  maxFiles: number;
  /** Per-file parse budget in milliseconds. */
  parseTimeoutMs: number;
}

/** What one refresh did, for the caller's figures. */
export interface IndexStats {
  /** Files found. */
  files: number;
  /** Files parsed this time (new or changed). */
  parsed: number;
  /** Files whose size and time matched the cache (not read). */
  unchanged: number;
  /** Files read whose content hash was already cached. */
  rehashed: number;
  /** The walk stopped at `maxFiles`. */
  truncated: boolean;
}

// Folders whose content is never the project's own source, even when no .gitignore says so.
const NEVER_ENTER = new Set([
  "node_modules",
  "bower_components",
  "__pycache__",
  "venv",
  "site-packages",
]);
const READ_CONCURRENCY = 16;
// Files stat'ed between two turns of the event loop. A synchronous stat costs a few
// microseconds where a promise-based one costs tens (a thread-pool round trip each), and
// a warm map is mostly stats; batches keep a long-lived process responsive meanwhile.
const STAT_BATCH = 256;

/**
 * Brings the tags of every file in a workspace up to date, reusing the cache: a file
 * whose size and modification time match is not read; one whose content hash is known
 * is not parsed; only new and changed files are. The walk honours `.gitignore`, skips
 * hidden names and never follows a symbolic link.
 *
 * @param root - The workspace's real path.
 * @param cache - The cache, updated in place.
 * @param limits - Size, line, file-count and time limits.
 * @param signal - Stops the refresh.
 * @returns The tags by workspace-relative path, and what was done.
 */
export async function indexWorkspace(
  root: string,
  cache: TagCacheData,
  limits: IndexLimits,
  signal?: AbortSignal,
): Promise<{ files: Map<string, PackedTags>; stats: IndexStats }> {
  const paths: string[] = [];
  let truncated = false;
  for await (const entry of walkWorkspace({
    root,
    start: ".",
    signal,
    prune: (dir) => NEVER_ENTER.has(path.posix.basename(dir.path)),
  })) {
    if (entry.kind !== "file") continue;
    if (paths.length >= limits.maxFiles) {
      truncated = true;
      break;
    }
    paths.push(entry.path);
  }
  const stats: IndexStats = {
    files: paths.length,
    parsed: 0,
    unchanged: 0,
    rehashed: 0,
    truncated,
  };
  const seen = new Set(paths);
  for (const known of cache.files.keys()) if (!seen.has(known)) cache.files.delete(known);
  const found: Array<PackedTags | undefined> = new Array(paths.length);
  const changed: number[] = [];
  for (let i = 0; i < paths.length; i++) {
    if (i > 0 && i % STAT_BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
    signal?.throwIfAborted();
    const unchanged = unchangedTags(root, paths[i] as string, cache);
    if (unchanged) {
      stats.unchanged++;
      found[i] = unchanged;
    } else changed.push(i);
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < changed.length) {
      signal?.throwIfAborted();
      const i = changed[next++] as number;
      found[i] = await tagsOf(root, paths[i] as string, cache, limits, stats);
    }
  };
  await Promise.all(Array.from({ length: READ_CONCURRENCY }, worker));
  const files = new Map(paths.map((rel, i) => [rel, found[i] as PackedTags]));
  return { files, stats };
}

/**
 * The cached tags of a file whose size and modification time still match the cache, or
 * `undefined` when it must be looked at (new, changed, gone, or not a language the map
 * parses: those are cheap anyway).
 */
function unchangedTags(root: string, rel: string, cache: TagCacheData): PackedTags | undefined {
  const known = cache.files.get(rel);
  const cached = known && cache.tags.get(known.hash);
  if (!cached || cached.skipped === TIMED_OUT_ONCE) return undefined;
  let now: { size: number; mtimeMs: number } | undefined;
  try {
    // Joined by hand: the root is a real path and `rel` a clean relative one from the
    // walk, and path.join's normalising is a measurable part of a warm start's stats.
    now = statSync(`${root}${path.sep}${rel}`, { throwIfNoEntry: false });
  } catch {
    return undefined; // Looked at again, and reported, by the slow path.
  }
  return now && now.size === known.size && now.mtimeMs === known.mtimeMs ? cached : undefined;
}

/**
 * A first timeout, which may have come from a busy machine: the next refresh parses the
 * file once more, and a second timeout is {@link PARSE_TIMED_OUT} for good (until it changes).
 */
const TIMED_OUT_ONCE = "parsing took too long (tried again on the next map)";

async function tagsOf(
  root: string,
  rel: string,
  cache: TagCacheData,
  limits: IndexLimits,
  stats: IndexStats,
): Promise<PackedTags> {
  const language = languageOf(rel);
  if (!language) return NO_TAGS;
  const absolute = path.join(root, rel);
  let size: number;
  let mtimeMs: number;
  try {
    ({ size, mtimeMs } = await fs.stat(absolute));
  } catch {
    return { language, defs: [], refs: [], skipped: "unreadable" };
  }
  const before = skipBeforeReading(rel, size, limits);
  if (before) return { language, defs: [], refs: [], skipped: before };
  const bytes = await readRegularFile(absolute, limits.maxFileBytes);
  if (!bytes) return { language, defs: [], refs: [], skipped: "unreadable" };
  const hash = createHash("sha256").update(bytes).update(language).digest("hex");
  const entry: CachedStat = { size, mtimeMs, hash };
  const hit = cache.tags.get(hash);
  if (hit && hit.skipped !== TIMED_OUT_ONCE) {
    stats.rehashed++;
    cache.files.set(rel, entry);
    return hit;
  }
  const text = bytes.toString("utf8");
  const after = skipAfterReading(text, limits);
  let tags: PackedTags;
  try {
    tags = after
      ? { language, defs: [], refs: [], skipped: after }
      : packTags(
          await extractTags(language, text, { parseTimeoutMs: limits.parseTimeoutMs }),
          cache.table,
        );
  } catch {
    // The grammar did not load: listed by name, and not cached, so a fixed install parses it.
    return { language, defs: [], refs: [], skipped: "parser unavailable" };
  }
  if (tags.skipped === PARSE_TIMED_OUT && !hit) tags = { ...tags, skipped: TIMED_OUT_ONCE };
  stats.parsed++;
  cache.tags.set(hash, tags);
  cache.files.set(rel, entry);
  return tags;
}

/**
 * Reads a file that is still a regular file of at most `maxBytes` once opened (never
 * through a link, never a FIFO that would block), or `undefined`.
 *
 * @internal Shared with the syntax check.
 */
export async function readRegularFile(file: string, maxBytes: number): Promise<Buffer | undefined> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(
      file,
      constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0),
    );
    const stats = await handle.stat();
    if (!stats.isFile() || stats.size > maxBytes) return undefined;
    return await handle.readFile();
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}
