import { randomBytes } from "node:crypto";
import { constants, promises as fs } from "node:fs";
import path from "node:path";
import { GemmaCoderError } from "@gemma-coder/core";
import { foreignOwner, makePrivateDir, PRIVATE_FILE_MODE } from "../store/private-files.js";
import type { FileState } from "./file-state.js";
import { manifestProblem } from "./validate-manifest.js";

/** What a checkpoint knows about one file the run touched. */
export interface CheckpointEntry {
  /** The state before the run's first change to it. */
  before: FileState;
  /** The git blob holding the content before (git mode). */
  blob?: string;
  /** The copy holding the content before, relative to the checkpoint folder (copy mode). */
  copy?: string;
  /** Why the content before was not kept (e.g. too large); the file cannot be restored. */
  notKept?: string;
  /** The state the run left, as of its last change to it; absent when unknown. */
  after?: FileState;
  /** Metadata fingerprint of `after`, to skip rehashing unchanged files. */
  afterStat?: string;
  /** Metadata fingerprint of `before`, so an untouched file needs no rehash after a change. */
  beforeStat?: string;
  /** The step of the run's first change to it. */
  step: number;
  /** The tool of that change. */
  tool: string;
}

/** How far an undo went. */
export type CheckpointState = "active" | "undone" | "partly-undone";

/** A run's checkpoint, kept as `manifest.json` in its folder. */
export interface CheckpointManifest {
  /** Format version. */
  v: 1;
  /** The run. */
  runId: string;
  /** The session the run wrote to. */
  sessionId?: string;
  /**
   * The workspace root (real path) of the run. Informational: undo writes only in the
   * checkpointer's own workspace, and skips checkpoints recorded for another one.
   */
  workspace: string;
  /** `git`: contents kept as git objects under a ref; `copy`: plain copies. */
  mode: "git" | "copy";
  /** The ref keeping the git objects alive (git mode). */
  ref?: string;
  /** The latest checkpoint commit (git mode). */
  commit?: string;
  /** When the checkpoint was created. */
  createdAt: number;
  /** When it last changed. */
  updatedAt: number;
  /** Whether it was undone. */
  state: CheckpointState;
  /** When it was last undone. */
  undoneAt?: number;
  /** Whether the whole workspace was snapshotted (for a shell command, git mode). */
  workspaceSnapshot: boolean;
  /** The files, by workspace-relative path with `/` separators. */
  files: Record<string, CheckpointEntry>;
  /** Folders the run created (workspace-relative), removed on undo when empty. */
  createdDirs: string[];
  /** Things undo cannot do, as sentences. */
  notes: string[];
}

/** The file name of a checkpoint's manifest. */
export const MANIFEST_FILE = "manifest.json";

/** A manifest larger than this is not one the checkpointer wrote (64 MiB). */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function refused(folder: string, why: string): GemmaCoderError {
  return new GemmaCoderError(
    `The checkpoint in ${folder} was not written by this user's gemma-coder runs (${why}); it is ignored.`,
    { code: "invalid-argument" },
  );
}

/**
 * Reads and validates a manifest, or returns `undefined` when the folder has none. A
 * manifest is treated as written by an attacker: its folder and file must be this
 * user's, not links, and every field must have the shape the checkpointer writes (see
 * `manifestProblem`).
 *
 * @param folder - The checkpoint folder (`<checkpoints>/<runId>`).
 * @param runId - The run the folder is named for.
 * @param refPrefix - The ref namespace of checkpoints.
 * @internal
 */
export async function readManifest(
  folder: string,
  runId: string,
  refPrefix: string,
): Promise<CheckpointManifest | undefined> {
  const file = path.join(folder, MANIFEST_FILE);
  let text: string;
  try {
    const folderStat = await fs.lstat(folder);
    if (!folderStat.isDirectory()) throw refused(folder, "it is not a folder");
    const folderOwner = foreignOwner(folderStat);
    if (folderOwner !== undefined) throw refused(folder, `the folder: ${folderOwner}`);
    const handle = await fs.open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw refused(folder, "its manifest is not a regular file");
      const owner = foreignOwner(stat);
      if (owner !== undefined) throw refused(folder, `its manifest: ${owner}`);
      if (stat.size > MAX_MANIFEST_BYTES) throw refused(folder, "its manifest is too large");
      text = await handle.readFile("utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    if (errorCode(error) === "ELOOP") throw refused(folder, "its manifest is a symbolic link");
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GemmaCoderError(`The checkpoint in ${folder} is damaged (not JSON).`, {
      code: "invalid-argument",
      cause: error,
    });
  }
  const manifest = value as Partial<CheckpointManifest> | null;
  if (typeof manifest !== "object" || manifest === null || manifest.v !== 1) {
    throw new GemmaCoderError(
      typeof manifest?.v === "number" && manifest.v > 1
        ? `The checkpoint in ${folder} was written by a newer gemma-coder (format v${manifest.v}).`
        : `The checkpoint in ${folder} is not a gemma-coder checkpoint.`,
      {
        code:
          typeof manifest?.v === "number" && manifest.v > 1 ? "unsupported" : "invalid-argument",
      },
    );
  }
  const problem = manifestProblem(manifest, runId, refPrefix);
  if (problem !== undefined) throw refused(folder, problem);
  return manifest as CheckpointManifest;
}

/**
 * Writes a manifest atomically (temporary file, then rename), so a crash leaves the
 * old manifest or the new one, never half of one; a failed write (a full disk) leaves
 * no temporary file and is reported as a `storage` error.
 *
 * @internal
 */
export async function writeManifest(folder: string, manifest: CheckpointManifest): Promise<void> {
  const target = path.join(folder, MANIFEST_FILE);
  const temporary = `${target}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await makePrivateDir(folder);
    await fs.writeFile(temporary, `${JSON.stringify(manifest, null, 1)}\n`, {
      mode: PRIVATE_FILE_MODE,
    });
    await fs.rename(temporary, target);
  } catch (error) {
    await fs.rm(temporary, { force: true }).catch(() => undefined);
    throw storageError(`The checkpoint of run ${manifest.runId} could not be saved`, error);
  }
}

/**
 * Turns a file-system failure into a `storage` error with a one-line message.
 *
 * @internal
 */
export function storageError(what: string, error: unknown): GemmaCoderError {
  if (GemmaCoderError.isInstance(error)) return error;
  const code = errorCode(error);
  const reason =
    code === "ENOSPC"
      ? "no space left on device"
      : code === "EDQUOT"
        ? "disk quota exceeded"
        : code === "EROFS"
          ? "the file system is read-only"
          : code === "EACCES" || code === "EPERM"
            ? "permission denied"
            : error instanceof Error
              ? error.message
              : String(error);
  return new GemmaCoderError(`${what}: ${reason}.`, { code: "storage", cause: error });
}
