import { constants, promises as fs } from "node:fs";
import path from "node:path";
import ignore, { type Ignore } from "ignore";

/** One entry found by {@link walkWorkspace}. */
export interface WalkEntry {
  /** Path relative to the workspace root, `/`-separated. */
  path: string;
  /** Symbolic links are reported, never followed. */
  kind: "file" | "dir" | "symlink";
  /** 1 for the start folder's own entries. */
  depth: number;
}

/** Options of {@link walkWorkspace}. */
export interface WalkOptions {
  /** The real workspace root. */
  root: string;
  /** The folder to list, relative to the root, `/`-separated (`.` for the root). */
  start: string;
  /** Include names starting with a dot (`.git` is always skipped). */
  includeHidden?: boolean;
  /** Stops the walk. */
  signal?: AbortSignal | undefined;
  /**
   * Folders not to enter (their entry is still reported), for callers that never want
   * what is inside, such as `node_modules` that no `.gitignore` covers.
   */
  prune?: ((entry: WalkEntry) => boolean) | undefined;
}

interface Matcher {
  base: string;
  rules: Ignore;
}

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const MAX_IGNORE_FILE_BYTES = 1 << 20;
// Git folds case on the file systems that do.
const IGNORE_CASE = process.platform === "win32" || process.platform === "darwin";

/**
 * Walks a workspace folder breadth first, in name order, honouring `.gitignore` files at
 * every level (plus `.git/info/exclude`) with git's precedence: a deeper file overrides
 * a shallower one and an ignored folder is not entered. Hidden names and `.git` are
 * skipped, symbolic links are listed but never followed, and names with control
 * characters (which no tool could address) are left out.
 *
 * @param options - Where to start and what to include.
 * @returns The entries, shallow ones first.
 */
export async function* walkWorkspace(options: WalkOptions): AsyncGenerator<WalkEntry> {
  const start = options.start === "." ? "" : options.start;
  const queue: { rel: string; depth: number; chain: Matcher[] }[] = [
    { rel: start, depth: 0, chain: await startChain(options.root, start) },
  ];
  let first = true;
  while (queue.length > 0) {
    options.signal?.throwIfAborted();
    const folder = queue.shift()!;
    let entries: import("node:fs").Dirent[];
    try {
      entries = await fs.readdir(path.join(options.root, folder.rel), { withFileTypes: true });
    } catch (error) {
      // The start folder must be readable; a subfolder that is not is skipped.
      if (first) throw error;
      continue;
    }
    first = false;
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const name = entry.name;
      if (CONTROL_CHARACTER.test(name)) continue;
      if (name.toLowerCase() === ".git") continue;
      if (!options.includeHidden && name.startsWith(".")) continue;
      const kind = entry.isDirectory()
        ? "dir"
        : entry.isFile()
          ? "file"
          : entry.isSymbolicLink()
            ? "symlink"
            : undefined;
      if (kind === undefined) continue;
      const rel = folder.rel === "" ? name : `${folder.rel}/${name}`;
      if (isIgnored(folder.chain, rel, kind === "dir")) continue;
      yield { path: rel, kind, depth: folder.depth + 1 };
      if (kind === "dir" && !options.prune?.({ path: rel, kind, depth: folder.depth + 1 })) {
        const own = await loadMatcher(options.root, rel, false);
        queue.push({
          rel,
          depth: folder.depth + 1,
          chain: own ? [...folder.chain, own] : folder.chain,
        });
      }
    }
  }
}

/**
 * The ignore files that apply inside the start folder. When the start folder or one of
 * its parents is itself ignored, the model asked for it by name: the rules above it are
 * dropped, or they would hide everything in it.
 */
async function startChain(root: string, start: string): Promise<Matcher[]> {
  const full = await chainFor(root, start);
  if (start === "") return full;
  const parts = start.split("/");
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join("/");
    const above = full.filter((m) => m.base === "" || prefix.startsWith(`${m.base}/`));
    if (isIgnored(above, prefix, true)) return full.filter((m) => m.base === start);
  }
  return full;
}

async function chainFor(root: string, rel: string): Promise<Matcher[]> {
  const chain: Matcher[] = [];
  const rootMatcher = await loadMatcher(root, "", true);
  if (rootMatcher) chain.push(rootMatcher);
  if (rel === "") return chain;
  const parts = rel.split("/");
  for (let i = 1; i <= parts.length; i++) {
    const matcher = await loadMatcher(root, parts.slice(0, i).join("/"), false);
    if (matcher) chain.push(matcher);
  }
  return chain;
}

function isIgnored(chain: readonly Matcher[], rel: string, isDir: boolean): boolean {
  let ignored = false;
  for (const { base, rules } of chain) {
    const sub = base === "" ? rel : rel.slice(base.length + 1);
    const result = rules.test(isDir ? `${sub}/` : sub);
    if (result.ignored) ignored = true;
    else if (result.unignored) ignored = false;
  }
  return ignored;
}

async function loadMatcher(
  root: string,
  rel: string,
  isRoot: boolean,
): Promise<Matcher | undefined> {
  const folder = path.join(root, rel);
  const sources = isRoot
    ? [path.join(folder, ".git", "info", "exclude"), path.join(folder, ".gitignore")]
    : [path.join(folder, ".gitignore")];
  let rules: Ignore | undefined;
  for (const source of sources) {
    const text = await readSmallFile(source);
    if (text === undefined) continue;
    rules ??= ignore({ ignorecase: IGNORE_CASE });
    rules.add(text);
  }
  return rules ? { base: rel, rules } : undefined;
}

async function readSmallFile(file: string): Promise<string | undefined> {
  let handle: fs.FileHandle | undefined;
  try {
    // Never follow a link: an ignore file pointing elsewhere is not the project's.
    handle = await fs.open(
      file,
      constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0),
    );
    const stats = await handle.stat();
    if (!stats.isFile() || stats.size > MAX_IGNORE_FILE_BYTES) return undefined;
    return await handle.readFile("utf8");
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}
