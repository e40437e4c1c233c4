import type { CheckpointEntry, CheckpointManifest } from "./checkpoint-manifest.js";
import type { FileState } from "./file-state.js";

/** A copy's name inside the checkpoint folder, as the checkpointer makes them. */
const COPY_NAME = /^files\/[0-9a-f]{16}$/;
/** A git object id (SHA-1 or SHA-256). */
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Whether a workspace-relative path from a manifest is one the checkpointer could have
 * written: `/`-separated, relative, no empty, `.` or `..` part, no backslash or control
 * character. Where it leads on disk is checked again when it is used.
 *
 * @internal
 */
export function isStoredPath(value: unknown): value is string {
  if (typeof value !== "string" || value === "" || value.length > 4096) return false;
  if (CONTROL_CHARACTER.test(value) || value.includes("\\") || value.startsWith("/")) return false;
  if (/^[A-Za-z]:/.test(value)) return false;
  return value.split("/").every((part) => part !== "" && part !== "." && part !== "..");
}

function isFileState(value: unknown): value is FileState {
  const state = value as Record<string, unknown> | null;
  if (typeof state !== "object" || state === null) return false;
  switch (state.kind) {
    case "missing":
    case "other":
      return true;
    case "symlink":
      return typeof state.target === "string" && !CONTROL_CHARACTER.test(state.target);
    case "file":
      return (
        typeof state.sha256 === "string" &&
        SHA256.test(state.sha256) &&
        Number.isSafeInteger(state.size) &&
        typeof state.executable === "boolean" &&
        Number.isInteger(state.perm)
      );
    default:
      return false;
  }
}

function entryProblem(rel: string, entry: unknown): string | undefined {
  if (!isStoredPath(rel)) return `the path ${JSON.stringify(rel)} is not workspace-relative`;
  const e = entry as Partial<CheckpointEntry> | null;
  if (typeof e !== "object" || e === null) return `${rel} has no entry`;
  if (!isFileState(e.before)) return `${rel} has no valid state before the run`;
  if (e.after !== undefined && !isFileState(e.after)) return `${rel} has an invalid final state`;
  if (e.copy !== undefined && (typeof e.copy !== "string" || !COPY_NAME.test(e.copy))) {
    return `${rel} names a copy outside the checkpoint folder`;
  }
  if (e.blob !== undefined && (typeof e.blob !== "string" || !OBJECT_ID.test(e.blob))) {
    return `${rel} names an invalid git object`;
  }
  for (const key of ["afterStat", "beforeStat", "notKept", "tool"] as const) {
    if (e[key] !== undefined && typeof e[key] !== "string") return `${rel} has an invalid ${key}`;
  }
  if (!Number.isInteger(e.step)) return `${rel} has an invalid step`;
  return undefined;
}

/**
 * Checks a parsed manifest as if an attacker wrote it: every field the checkpointer
 * acts on must have the shape it writes. The recorded `workspace` is never used as a
 * place to write; the checkpointer only compares it with its own.
 *
 * @param value - The parsed JSON.
 * @param runId - The run the folder is named for; the manifest must say the same.
 * @param refPrefix - The ref namespace of checkpoints.
 * @returns Why it is refused, or `undefined` when it is acceptable.
 * @internal
 */
export function manifestProblem(
  value: Partial<CheckpointManifest>,
  runId: string,
  refPrefix: string,
): string | undefined {
  if (value.runId !== runId) return "its run id does not match its folder";
  if (value.mode !== "git" && value.mode !== "copy") return "its mode is unknown";
  if (value.ref !== undefined && value.ref !== `${refPrefix}${runId}`)
    return "its git ref is not its own";
  if (
    value.commit !== undefined &&
    (typeof value.commit !== "string" || !OBJECT_ID.test(value.commit))
  ) {
    return "its git commit is invalid";
  }
  if (value.sessionId !== undefined && typeof value.sessionId !== "string")
    return "its session id is invalid";
  if (typeof value.workspace !== "string") return "it names no workspace";
  for (const key of ["createdAt", "updatedAt"] as const) {
    if (!Number.isFinite(value[key])) return `its ${key} is invalid`;
  }
  if (!["active", "undone", "partly-undone"].includes(value.state as string))
    return "its state is unknown";
  if (typeof value.workspaceSnapshot !== "boolean") return "it is incomplete";
  if (typeof value.files !== "object" || value.files === null || Array.isArray(value.files)) {
    return "it lists no files";
  }
  for (const [rel, entry] of Object.entries(value.files)) {
    const problem = entryProblem(rel, entry);
    if (problem !== undefined) return problem;
  }
  if (!Array.isArray(value.createdDirs) || !value.createdDirs.every(isStoredPath)) {
    return "its created folders are not workspace-relative";
  }
  if (!Array.isArray(value.notes) || !value.notes.every((note) => typeof note === "string")) {
    return "its notes are invalid";
  }
  return undefined;
}
