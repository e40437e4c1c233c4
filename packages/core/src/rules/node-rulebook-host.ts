import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import { importNodeBuiltin } from "../runtime/node-builtin.js";
import type { RulebookHost, RulebookReadLimits } from "./load-rulebook.js";

/** Error codes that mean "there is no file here", not "something is wrong". */
const MISSING = new Set(["ENOENT", "ENOTDIR"]);

function refuse(message: string): GemmaCoderError {
  return new GemmaCoderError(message, { code: "rulebook" });
}

function errnoCode(error: unknown): string | undefined {
  return (error as { code?: string } | undefined)?.code;
}

/**
 * The rulebook host for Node.js, on `node:fs` and `node:path`. Imported lazily so
 * the core stays loadable in runtimes without them.
 *
 * It reads a rulebook the way the tools read a file in the workspace: the real path
 * (links resolved) must stay inside `limits.root`; only a regular file is read (checked
 * with `fstat` on the opened handle, which was opened non-blocking so a FIFO cannot hang
 * the open); and at most `limits.maxBytes` bytes are read whatever size the file claims.
 * A file that fails a check is refused with a `rulebook` error naming why.
 *
 * @returns A {@link RulebookHost}.
 */
export async function nodeRulebookHost(): Promise<RulebookHost> {
  // Imported at run time, invisible to bundlers: elsewhere pass `rulebookHost` instead.
  const needsIt = "The rulebook search (pass a `rulebookHost` or `rules` outside Node)";
  const fs = await importNodeBuiltin<typeof import("node:fs/promises")>(
    "node:fs/promises",
    needsIt,
  );
  const { constants } = await importNodeBuiltin<typeof import("node:fs")>("node:fs", needsIt);
  const path = await importNodeBuiltin<typeof import("node:path")>("node:path", needsIt);

  /** The real path of `file`, `undefined` when it does not exist; refuses one outside `root`. */
  const realInside = async (file: string, root: string | undefined) => {
    let real: string;
    try {
      real = await fs.realpath(file);
    } catch (error) {
      if (MISSING.has(errnoCode(error) ?? "")) return undefined;
      if (errnoCode(error) === "ELOOP") throw refuse(`${file} is a link loop.`);
      throw error;
    }
    if (root === undefined) return real;
    const realRoot = await fs.realpath(root).catch(() => path.resolve(root));
    const relative = path.relative(realRoot, real);
    const outside =
      relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
    if (outside) throw refuse(`${file} links to ${real}, outside the repository.`);
    return real;
  };

  return {
    async readText(file, limits?: RulebookReadLimits) {
      const real = await realInside(file, limits?.root);
      if (real === undefined) return undefined;
      // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
      // O_NOFOLLOW: the path was just resolved; a link appearing now is a swap under us.
      const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);
      let handle: Awaited<ReturnType<typeof fs.open>>;
      try {
        handle = await fs.open(real, flags);
      } catch (error) {
        const code = errnoCode(error);
        if (code !== undefined && MISSING.has(code)) return undefined;
        if (code === "EISDIR") throw refuse(`${file} is not a regular file.`);
        if (code === "ELOOP") throw refuse(`${file} changed into a link while it was opened.`);
        throw error;
      }
      try {
        // Checked on the handle, not the path: what was opened is what is read.
        const stat = await handle.stat();
        if (!stat.isFile()) throw refuse(`${file} is not a regular file.`);
        return await readHead(handle, limits?.maxBytes ?? DEFAULT_READ_BYTES);
      } finally {
        await handle.close();
      }
    },
    async exists(file) {
      try {
        await fs.stat(file);
        return true;
      } catch {
        return false;
      }
    },
    join: (...parts) => path.join(...parts),
    dirname: (file) => path.dirname(file),
    resolve: (file) => path.resolve(file),
  };
}

/** Bytes read when the caller gives no limit. */
const DEFAULT_READ_BYTES = 64 * 1024;

/**
 * Reads at most `maxBytes` from the start of an open file. The size `fstat` reports is
 * not trusted (files under /proc report 0): the read stops at the cap either way.
 */
async function readHead(
  handle: {
    read(
      buffer: Uint8Array,
      offset: number,
      length: number,
      position: number,
    ): Promise<{ bytesRead: number }>;
  },
  maxBytes: number,
): Promise<string> {
  const buffer = new Uint8Array(maxBytes);
  let filled = 0;
  while (filled < maxBytes) {
    const { bytesRead } = await handle.read(buffer, filled, maxBytes - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return new TextDecoder("utf-8").decode(buffer.subarray(0, filled));
}
