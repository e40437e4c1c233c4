import { promises as fs } from "node:fs";
import path from "node:path";
import { LANGUAGE_IDS, type LanguageId } from "../languages/languages.js";
import type { Definition, FileTags, Reference } from "../parse/file-tags.js";

/** What the cache remembers of one file: how it looked on disk and its content hash. */
export interface CachedStat {
  /** Size in bytes. */
  size: number;
  /** Modification time in milliseconds. */
  mtimeMs: number;
  /** The content hash its tags are stored under. */
  hash: string;
}

/** The cache of one workspace, as held in memory. */
export interface TagCacheData {
  /** By workspace-relative path. */
  files: Map<string, CachedStat>;
  /** Tags by content hash, so a file moved or restored is not parsed again. */
  tags: Map<string, FileTags>;
}

const MAX_CACHE_BYTES = 256 * 1024 * 1024;
const LANGUAGES: ReadonlySet<string> = new Set(LANGUAGE_IDS);

// On disk, compact and flat (one array per list, not one per entry, which costs the
// parse and the garbage collector dearly on a warm start): a file is [size, mtimeMs,
// hash]; tags are { l, d, r, s } with d = [name, kind, line, signature, depth, ...] and
// r = [name, line, ...].
type StoredTags = { l?: string; d: unknown[]; r: unknown[]; s?: string };

class Invalid extends Error {}

function check(condition: boolean): asserts condition {
  if (!condition) throw new Invalid();
}

const isText = (value: unknown, max = 1000): value is string =>
  typeof value === "string" && value.length <= max;
const isLine = (value: unknown): value is number =>
  typeof value === "number" && Number.isInteger(value) && value > 0;

function decodeTags(value: unknown): FileTags {
  check(typeof value === "object" && value !== null);
  const stored = value as StoredTags;
  const { d, r } = stored;
  check(Array.isArray(d) && d.length % 5 === 0 && Array.isArray(r) && r.length % 2 === 0);
  check(stored.l === undefined || LANGUAGES.has(stored.l));
  check(stored.s === undefined || isText(stored.s, 200));
  const defs: Definition[] = [];
  for (let i = 0; i < d.length; i += 5) {
    const name = d[i];
    const kind = d[i + 1];
    const line = d[i + 2];
    const signature = d[i + 3];
    const depth = d[i + 4];
    check(isText(name) && isText(kind, 40) && isLine(line) && isText(signature));
    check(Number.isInteger(depth) && (depth as number) >= 0);
    defs.push({ name, kind, line, signature, depth: depth as number });
  }
  const refs: Reference[] = [];
  for (let i = 0; i < r.length; i += 2) {
    const name = r[i];
    const line = r[i + 1];
    check(isText(name) && isLine(line));
    refs.push({ name, line });
  }
  return {
    ...(stored.l === undefined ? {} : { language: stored.l as LanguageId }),
    defs,
    refs,
    ...(stored.s === undefined ? {} : { skipped: stored.s }),
  };
}

function encodeTags(tags: FileTags): StoredTags {
  return {
    ...(tags.language === undefined ? {} : { l: tags.language }),
    d: tags.defs.flatMap((d) => [d.name, d.kind, d.line, d.signature, d.depth]),
    r: tags.refs.flatMap((r) => [r.name, r.line]),
    ...(tags.skipped === undefined ? {} : { s: tags.skipped }),
  };
}

/**
 * Reads a workspace's cache file. It lives in the user's cache folder, but is still
 * read as untrusted: anything that does not have the expected shape, or was written for
 * other queries (`format`), makes an empty cache, never an error.
 *
 * @param file - The cache file.
 * @param format - The format tag the caller writes (changes when the queries change).
 * @returns The cache, empty when missing or invalid.
 */
export async function readTagCache(file: string, format: string): Promise<TagCacheData> {
  const empty = (): TagCacheData => ({ files: new Map(), tags: new Map() });
  let json: unknown;
  try {
    const stats = await fs.stat(file);
    if (!stats.isFile() || stats.size > MAX_CACHE_BYTES) return empty();
    json = JSON.parse(await fs.readFile(file, "utf8"));
  } catch {
    return empty();
  }
  try {
    check(typeof json === "object" && json !== null);
    const stored = json as { format?: unknown; files?: unknown; tags?: unknown };
    check(stored.format === format);
    check(typeof stored.files === "object" && stored.files !== null);
    check(typeof stored.tags === "object" && stored.tags !== null);
    const data = empty();
    for (const [hash, value] of Object.entries(stored.tags as object)) {
      check(isText(hash, 128));
      data.tags.set(hash, decodeTags(value));
    }
    for (const [rel, value] of Object.entries(stored.files as object)) {
      check(Array.isArray(value) && value.length === 3);
      const [size, mtimeMs, hash] = value as unknown[];
      check(typeof size === "number" && typeof mtimeMs === "number" && isText(hash, 128));
      data.files.set(rel, {
        size: size as number,
        mtimeMs: mtimeMs as number,
        hash: hash as string,
      });
    }
    return data;
  } catch (error) {
    if (error instanceof Invalid || error instanceof TypeError) return empty();
    throw error;
  }
}

/**
 * Writes a workspace's cache file atomically (a temporary file renamed over), readable by
 * the user only, keeping only the tags some file still points at.
 *
 * @param file - The cache file.
 * @param format - The format tag.
 * @param data - What to keep.
 */
export async function writeTagCache(
  file: string,
  format: string,
  data: TagCacheData,
): Promise<void> {
  const files: Record<string, [number, number, string]> = {};
  const tags: Record<string, StoredTags> = {};
  for (const [rel, entry] of data.files) {
    files[rel] = [entry.size, entry.mtimeMs, entry.hash];
    const value = data.tags.get(entry.hash);
    if (value && !(entry.hash in tags)) tags[entry.hash] = encodeTags(value);
  }
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await fs.writeFile(temporary, JSON.stringify({ format, files, tags }), { mode: 0o600 });
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}
