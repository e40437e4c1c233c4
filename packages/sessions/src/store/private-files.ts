import { promises as fs, type Stats } from "node:fs";

/** Folders holding sessions and checkpoints: only their owner can list or enter them. */
export const PRIVATE_DIR_MODE = 0o700;

/** Transcripts, manifests and copies: they hold tool output and file contents. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates a folder (and its missing parents) readable by its owner alone. An existing
 * folder keeps its mode: it may be one the user chose and shares on purpose.
 *
 * @internal
 */
export async function makePrivateDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Why a stored file (a manifest, a checkpoint folder) cannot have been written by this
 * user's own runs, or `undefined` when it may have been: on POSIX systems it must be
 * owned by the current user and not writable by anyone else, so another account on a
 * shared machine cannot plant one.
 *
 * @internal
 */
export function foreignOwner(stat: Stats): string | undefined {
  if (typeof process.getuid !== "function") return undefined;
  if (stat.uid !== process.getuid()) return `it belongs to another user (uid ${stat.uid})`;
  if ((stat.mode & 0o022) !== 0) return "other users can write to it";
  return undefined;
}
