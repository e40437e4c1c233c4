import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { GemmaCoderError } from "@gemma-coder/core";
import type { FileState } from "./file-state.js";

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
  /** The workspace root (real path). */
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

/**
 * Reads a manifest, or `undefined` when the folder has none.
 *
 * @internal
 */
export async function readManifest(folder: string): Promise<CheckpointManifest | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(folder, MANIFEST_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
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
  if (manifest?.v !== 1) {
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
  return manifest as CheckpointManifest;
}

/**
 * Writes a manifest atomically (temporary file, then rename), so a crash leaves the
 * old manifest or the new one, never half of one.
 *
 * @internal
 */
export async function writeManifest(folder: string, manifest: CheckpointManifest): Promise<void> {
  await fs.mkdir(folder, { recursive: true });
  const target = path.join(folder, MANIFEST_FILE);
  const temporary = `${target}.${randomBytes(4).toString("hex")}.tmp`;
  await fs.writeFile(temporary, `${JSON.stringify(manifest, null, 1)}\n`);
  try {
    await fs.rename(temporary, target);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}
