import { expect, it } from "vitest";

it("pins the runtime export list of @gemma-coder/sessions", async () => {
  expect(Object.keys(await import("./index.js")).sort()).toEqual([
    "CHECKPOINT_REF_PREFIX",
    "DEFAULT_MAX_SNAPSHOT_BYTES",
    "DEMO_LABEL",
    "FileSessionStore",
    "PATH_ARGUMENTS",
    "PROJECT_SESSIONS_DIR",
    "SESSIONS_DIR_ENV",
    "TRANSCRIPT_EXTENSION",
    "WORKSPACE_TOOLS",
    "WorkspaceCheckpointer",
    "createCheckpointer",
    "formatUndoResult",
    "openSessions",
    "prepareDemo",
    "resolveSessionDir",
    "touchedPaths",
    "userCacheDir",
    "userDataDir",
  ]);
});
