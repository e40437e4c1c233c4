export type {
  CheckpointEntry,
  CheckpointManifest,
  CheckpointState,
} from "./checkpoint/checkpoint-manifest.js";
export type { FileState } from "./checkpoint/file-state.js";
export { formatUndoResult } from "./checkpoint/format-undo.js";
export type { TouchedPaths } from "./checkpoint/touched-paths.js";
export { PATH_ARGUMENTS, touchedPaths, WORKSPACE_TOOLS } from "./checkpoint/touched-paths.js";
export type {
  CheckpointerOptions,
  CheckpointSummary,
} from "./checkpoint/workspace-checkpointer.js";
export {
  CHECKPOINT_REF_PREFIX,
  createCheckpointer,
  DEFAULT_MAX_SNAPSHOT_BYTES,
  WorkspaceCheckpointer,
} from "./checkpoint/workspace-checkpointer.js";
export type { Demo, DemoOptions } from "./demo/prepare-demo.js";
export { DEMO_LABEL, prepareDemo } from "./demo/prepare-demo.js";
export type { OpenSessionsOptions, Sessions } from "./open-sessions.js";
export { openSessions } from "./open-sessions.js";
export type {
  FileSessionStoreOptions,
  SessionSummary,
} from "./store/file-session-store.js";
export { FileSessionStore, TRANSCRIPT_EXTENSION } from "./store/file-session-store.js";
export type { SessionDir, SessionDirOptions } from "./store/session-dir.js";
export {
  PROJECT_SESSIONS_DIR,
  resolveSessionDir,
  SESSIONS_DIR_ENV,
  userCacheDir,
  userDataDir,
} from "./store/session-dir.js";
