import { promises as fs } from "node:fs";
import path from "node:path";
import v8 from "node:v8";
import { LANGUAGE_IDS } from "../languages/languages.js";
import {
  DEF_STRIDE,
  joinStrings,
  type PackedTags,
  REF_STRIDE,
  StringTable,
} from "./packed-tags.js";

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
  /** The strings every file's tags refer to. */
  table: StringTable;
  /** By workspace-relative path. */
  files: Map<string, CachedStat>;
  /** Tags by content hash, so a file moved or restored is not parsed again. */
  tags: Map<string, PackedTags>;
}

/**
 * The cache file's content, written with `v8.serialize`: a few strings and typed arrays
 * (column per field, not an object per file or per tag), which deserialize as a handful
 * of values with their numbers copied in bulk. Strings and paths are joined, with their
 * end offsets. Tag set `t` owns `defs[defEnds[t - 1]..defEnds[t]]` (and likewise refs);
 * file `f` uses tag set `tagOf[f]`, or none when -1.
 */
interface StoredCache {
  format: string;
  strings: string;
  stringEnds: Int32Array;
  paths: string;
  pathEnds: Int32Array;
  sizes: Float64Array;
  mtimes: Float64Array;
  hashes: string;
  tagOf: Int32Array;
  languages: Int8Array;
  skipped: Int32Array;
  defEnds: Int32Array;
  refEnds: Int32Array;
  defs: Int32Array;
  refs: Int32Array;
}

const MAX_CACHE_BYTES = 256 * 1024 * 1024;
const HASH_CHARS = 64;
const MAX_STRING_CHARS = 1000;
const MAX_PATH_CHARS = 4096;
const MAX_DEPTH = 1000;
const MAX_SKIPPED_CHARS = 200;

class Invalid extends Error {}

function check(condition: boolean): asserts condition {
  if (!condition) throw new Invalid();
}

const emptyCache = (): TagCacheData => ({
  table: new StringTable(),
  files: new Map(),
  tags: new Map(),
});

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
  try {
    const stats = await fs.stat(file);
    if (!stats.isFile() || stats.size > MAX_CACHE_BYTES) return emptyCache();
    return decodeCache(v8.deserialize(await fs.readFile(file)), format);
  } catch {
    // Missing, unreadable, not a serialized value (a truncated or foreign file), or not
    // the expected shape: all the same to the caller.
    return emptyCache();
  }
}

function decodeCache(value: unknown, format: string): TagCacheData {
  check(typeof value === "object" && value !== null);
  const stored = value as StoredCache;
  check(stored.format === format);
  checkShape(stored);
  const table = new StringTable(stored.strings, stored.stringEnds);
  const tags = decodeTagSets(stored, table);
  const files = new Map<string, CachedStat>();
  const paths = new StringTable(stored.paths, stored.pathEnds);
  for (let f = 0; f < stored.tagOf.length; f++) {
    const t = stored.tagOf[f] as number;
    files.set(paths.at(f), {
      size: stored.sizes[f] as number,
      mtimeMs: stored.mtimes[f] as number,
      hash: stored.hashes.slice(t * HASH_CHARS, (t + 1) * HASH_CHARS),
    });
  }
  return { table, files, tags };
}

// Every field of the expected type and length, every offset and id in range: after
// this, decoding and ranking index the arrays without further checks. Plain loops over
// typed arrays, as this runs once per process, mostly before the code is optimised.
function checkShape(stored: StoredCache): void {
  const { strings, stringEnds, paths, pathEnds, hashes, tagOf, defEnds, refEnds } = stored;
  check(typeof strings === "string" && typeof paths === "string" && typeof hashes === "string");
  check(stringEnds instanceof Int32Array && pathEnds instanceof Int32Array);
  check(offsetsWithin(stringEnds, strings.length, MAX_STRING_CHARS, 1));
  check(offsetsWithin(pathEnds, paths.length, MAX_PATH_CHARS, 1));
  const files = pathEnds.length;
  const sets = hashes.length / HASH_CHARS;
  check(Number.isInteger(sets));
  check(stored.sizes instanceof Float64Array && stored.sizes.length === files);
  check(stored.mtimes instanceof Float64Array && stored.mtimes.length === files);
  check(tagOf instanceof Int32Array && tagOf.length === files && idsBelow(tagOf, sets, 0));
  check(stored.languages instanceof Int8Array && stored.languages.length === sets);
  check(idsBelow(stored.languages, LANGUAGE_IDS.length, -1));
  check(stored.skipped instanceof Int32Array && stored.skipped.length === sets);
  check(idsBelow(stored.skipped, stringEnds.length, -1));
  check(defEnds instanceof Int32Array && refEnds instanceof Int32Array);
  check(defEnds.length === sets && refEnds.length === sets);
  check(stored.defs instanceof Int32Array && stored.refs instanceof Int32Array);
  check(offsetsWithin(defEnds, stored.defs.length, stored.defs.length, DEF_STRIDE));
  check(offsetsWithin(refEnds, stored.refs.length, stored.refs.length, REF_STRIDE));
  check(defEnds.length === 0 || defEnds[sets - 1] === stored.defs.length);
  check(refEnds.length === 0 || refEnds[sets - 1] === stored.refs.length);
  check(
    definitionsValid(stored.defs, stringEnds.length) &&
      referencesValid(stored.refs, stringEnds.length),
  );
  for (const id of stored.skipped) {
    const length =
      id < 0 ? 0 : (stringEnds[id] as number) - (id === 0 ? 0 : (stringEnds[id - 1] as number));
    check(length <= MAX_SKIPPED_CHARS);
  }
}

/** Every value in `min..below - 1`. */
function idsBelow(values: Int32Array | Int8Array, below: number, min: number): boolean {
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (value < min || value >= below) return false;
  }
  return true;
}

/** Each definition: string ids for name, kind and signature, a line, a sane depth. */
function definitionsValid(defs: Int32Array, strings: number): boolean {
  for (let i = 0; i < defs.length; i += DEF_STRIDE) {
    const name = defs[i] as number;
    const kind = defs[i + 1] as number;
    const signature = defs[i + 3] as number;
    if (name < 0 || name >= strings || kind < 0 || kind >= strings) return false;
    if (signature < 0 || signature >= strings || (defs[i + 2] as number) < 1) return false;
    const depth = defs[i + 4] as number;
    if (depth < 0 || depth > MAX_DEPTH) return false;
  }
  return true;
}

/** Each reference: a string id and a line. */
function referencesValid(refs: Int32Array, strings: number): boolean {
  for (let i = 0; i < refs.length; i += REF_STRIDE) {
    const name = refs[i] as number;
    if (name < 0 || name >= strings || (refs[i + 1] as number) < 1) return false;
  }
  return true;
}

/**
 * Non-decreasing offsets from 0 up to `length`, with no gap over `maxGap`, each a
 * multiple of `stride`.
 */
function offsetsWithin(ends: Int32Array, length: number, maxGap: number, stride: number): boolean {
  let previous = 0;
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i] as number;
    if (end < previous || end - previous > maxGap) return false;
    previous = end;
  }
  if (stride > 1) {
    for (let i = 0; i < ends.length; i++) if ((ends[i] as number) % stride !== 0) return false;
  }
  return previous <= length;
}

function decodeTagSets(stored: StoredCache, table: StringTable): Map<string, PackedTags> {
  const tags = new Map<string, PackedTags>();
  const { defs, refs, defEnds, refEnds } = stored;
  let defStart = 0;
  let refStart = 0;
  for (let t = 0; t < defEnds.length; t++) {
    const language = stored.languages[t] as number;
    const skipped = stored.skipped[t] as number;
    const defEnd = defEnds[t] as number;
    const refEnd = refEnds[t] as number;
    tags.set(stored.hashes.slice(t * HASH_CHARS, (t + 1) * HASH_CHARS), {
      language: language < 0 ? undefined : LANGUAGE_IDS[language],
      skipped: skipped < 0 ? undefined : table.at(skipped),
      // Views on the arrays read, not copies (a view costs far less than subarray()).
      defs: new Int32Array(defs.buffer, defs.byteOffset + defStart * 4, defEnd - defStart),
      refs: new Int32Array(refs.buffer, refs.byteOffset + refStart * 4, refEnd - refStart),
    });
    defStart = defEnd;
    refStart = refEnd;
  }
  return tags;
}

/**
 * Writes a workspace's cache file atomically (a temporary file renamed over), readable by
 * the user only, keeping only the tags some file still points at and the strings those
 * use.
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
  const bytes = v8.serialize(encodeCache(format, data));
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await fs.writeFile(temporary, bytes, { mode: 0o600 });
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

function encodeCache(format: string, data: TagCacheData): StoredCache {
  const live = new StringTable();
  const moved = new Map<number, number>();
  const remap = (id: number): number => {
    let to = moved.get(id);
    if (to === undefined) {
      to = live.intern(data.table.at(id));
      moved.set(id, to);
    }
    return to;
  };
  const paths: string[] = [];
  const files: CachedStat[] = [];
  const setOf = new Map<string, number>();
  const sets: Array<{ hash: string; tags: PackedTags }> = [];
  for (const [rel, entry] of data.files) {
    const tags = data.tags.get(entry.hash);
    if (!tags || entry.hash.length !== HASH_CHARS) continue;
    if (!setOf.has(entry.hash)) {
      setOf.set(entry.hash, sets.length);
      sets.push({ hash: entry.hash, tags });
    }
    paths.push(rel);
    files.push(entry);
  }
  const defs: number[] = [];
  const refs: number[] = [];
  const defEnds = new Int32Array(sets.length);
  const refEnds = new Int32Array(sets.length);
  sets.forEach(({ tags }, t) => {
    for (let i = 0; i < tags.defs.length; i++) {
      const field = i % DEF_STRIDE;
      const value = tags.defs[i] as number;
      defs.push(field === 0 || field === 1 || field === 3 ? remap(value) : value);
    }
    for (let i = 0; i < tags.refs.length; i++) {
      const value = tags.refs[i] as number;
      refs.push(i % REF_STRIDE === 0 ? remap(value) : value);
    }
    defEnds[t] = defs.length;
    refEnds[t] = refs.length;
  });
  const skipped = Int32Array.from(sets, ({ tags }) =>
    tags.skipped === undefined ? -1 : live.intern(tags.skipped),
  );
  const strings = live.toJoined();
  const joinedPaths = joinStrings(paths);
  return {
    format,
    strings: strings.joined,
    stringEnds: strings.ends,
    paths: joinedPaths.joined,
    pathEnds: joinedPaths.ends,
    sizes: Float64Array.from(files, (entry) => entry.size),
    mtimes: Float64Array.from(files, (entry) => entry.mtimeMs),
    hashes: sets.map(({ hash }) => hash).join(""),
    tagOf: Int32Array.from(files, (entry) => setOf.get(entry.hash) as number),
    languages: Int8Array.from(sets, ({ tags }) =>
      tags.language === undefined ? -1 : LANGUAGE_IDS.indexOf(tags.language),
    ),
    skipped,
    defEnds,
    refEnds,
    defs: Int32Array.from(defs),
    refs: Int32Array.from(refs),
  };
}
