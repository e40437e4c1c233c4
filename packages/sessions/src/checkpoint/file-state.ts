import { createHash } from "node:crypto";
import { createReadStream, promises as fs } from "node:fs";

/**
 * What was at a path at one moment: nothing, a file (by content hash), a symbolic link
 * (by target) or something a checkpoint does not handle (a folder, a socket).
 */
export type FileState =
  | {
      /** Nothing was there. */
      kind: "missing";
    }
  | {
      /** A regular file. */
      kind: "file";
      /** SHA-256 of the content, hex. */
      sha256: string;
      /** Size in bytes. */
      size: number;
      /** Whether any execute bit was set. */
      executable: boolean;
      /** The permission bits (`0o644`...), to restore them as they were. */
      perm: number;
    }
  | {
      /** A symbolic link. */
      kind: "symlink";
      /** Where it points. */
      target: string;
    }
  | {
      /** A folder or a special file. */
      kind: "other";
    };

/** A cheap fingerprint of a file's metadata, to skip hashing what did not change. */
export type StatFingerprint = string;

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * SHA-256 of a file's content, streamed so large files do not fill memory.
 *
 * @internal
 */
export function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/**
 * Reads the state at a path without following a final symbolic link.
 *
 * @internal
 */
export async function readFileState(
  file: string,
): Promise<{ state: FileState; stat: StatFingerprint | undefined }> {
  let stat: import("node:fs").BigIntStats;
  try {
    stat = await fs.lstat(file, { bigint: true });
  } catch (error) {
    const code = errorCode(error);
    if (code === "ENOENT" || code === "ENOTDIR")
      return { state: { kind: "missing" }, stat: undefined };
    throw error;
  }
  const fingerprint = `${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}:${stat.ino}:${stat.mode}`;
  if (stat.isSymbolicLink()) {
    return { state: { kind: "symlink", target: await fs.readlink(file) }, stat: fingerprint };
  }
  if (!stat.isFile()) return { state: { kind: "other" }, stat: fingerprint };
  return {
    state: {
      kind: "file",
      sha256: await hashFile(file),
      size: Number(stat.size),
      executable: (stat.mode & 0o111n) !== 0n,
      perm: Number(stat.mode & 0o7777n),
    },
    stat: fingerprint,
  };
}

/**
 * The metadata fingerprint alone, to tell whether a file may have changed.
 *
 * @internal
 */
export async function statFingerprint(file: string): Promise<StatFingerprint | undefined> {
  try {
    const stat = await fs.lstat(file, { bigint: true });
    return `${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}:${stat.ino}:${stat.mode}`;
  } catch {
    return undefined;
  }
}

/**
 * Whether two states hold the same thing (content and execute bit, or link target).
 *
 * @internal
 */
export function sameState(a: FileState, b: FileState): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "file" && b.kind === "file") {
    return a.sha256 === b.sha256 && a.executable === b.executable;
  }
  if (a.kind === "symlink" && b.kind === "symlink") return a.target === b.target;
  return a.kind !== "other";
}
