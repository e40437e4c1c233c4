import { promises as fs } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { LANGUAGE_IDS } from "../languages/languages.js";
import type { FileTags } from "../parse/file-tags.js";

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
const line = z.number().int().positive();
const tagsSchema = z.object({
  language: z.enum(LANGUAGE_IDS).optional(),
  defs: z.array(
    z.object({
      name: z.string().max(1000),
      kind: z.string().max(40),
      line,
      signature: z.string().max(1000),
      depth: z.number().int().min(0),
    }),
  ),
  refs: z.array(z.object({ name: z.string().max(1000), line })),
  skipped: z.string().max(200).optional(),
});
const cacheSchema = z.object({
  format: z.string(),
  files: z.record(
    z.string(),
    z.object({ size: z.number().min(0), mtimeMs: z.number(), hash: z.string().max(128) }),
  ),
  tags: z.record(z.string(), tagsSchema),
});

/**
 * Reads a workspace's cache file. It lives in the user's cache folder, but is still
 * read as untrusted: anything that does not match the schema, or was written by another
 * version of the queries (`format`), is an empty cache, never an error.
 *
 * @param file - The cache file.
 * @param format - The format tag the caller writes (changes when the queries change).
 * @returns The cache, empty when missing or invalid.
 */
export async function readTagCache(file: string, format: string): Promise<TagCacheData> {
  const empty: TagCacheData = { files: new Map(), tags: new Map() };
  let text: string;
  try {
    const stats = await fs.stat(file);
    if (!stats.isFile() || stats.size > MAX_CACHE_BYTES) return empty;
    text = await fs.readFile(file, "utf8");
  } catch {
    return empty;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return empty;
  }
  const parsed = cacheSchema.safeParse(json);
  if (!parsed.success || parsed.data.format !== format) return empty;
  return {
    files: new Map(Object.entries(parsed.data.files)),
    tags: new Map(Object.entries(parsed.data.tags) as Array<[string, FileTags]>),
  };
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
  const used = new Set([...data.files.values()].map((entry) => entry.hash));
  const tags: Record<string, FileTags> = {};
  for (const [hash, value] of data.tags) if (used.has(hash)) tags[hash] = value;
  const text = JSON.stringify({ format, files: Object.fromEntries(data.files), tags });
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await fs.writeFile(temporary, text, { mode: 0o600 });
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}
