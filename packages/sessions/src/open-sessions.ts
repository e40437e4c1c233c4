import {
  createCheckpointer,
  type WorkspaceCheckpointer,
} from "./checkpoint/workspace-checkpointer.js";
import { FileSessionStore } from "./store/file-session-store.js";
import { resolveSessionDir, type SessionDir } from "./store/session-dir.js";

/** Options of {@link openSessions}. */
export interface OpenSessionsOptions {
  /** The workspace root. */
  workspace: string;
  /** An explicit sessions folder (from the user's configuration). */
  dir?: string | undefined;
  /** The environment (for `GEMMA_CODER_SESSIONS_DIR` and the cache folder). Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Use git plumbing for checkpoints inside a repository. Default `true`. */
  git?: boolean;
}

/** A workspace's session store and checkpointer, sharing one folder. */
export interface Sessions extends SessionDir {
  /** The transcripts. Pass as `session` to the Agent. */
  store: FileSessionStore;
  /** The checkpoints. Pass as `checkpointer` to the Agent; also undoes runs on its own. */
  checkpointer: WorkspaceCheckpointer;
}

/**
 * Opens the sessions of a workspace: finds the folder (see `resolveSessionDir`) and
 * returns a transcript store and a checkpointer over it. Nothing is written until an
 * agent runs.
 *
 * @param options - The workspace and the overrides.
 * @returns The folder, the store and the checkpointer.
 *
 * @example
 * ```ts
 * const { store, checkpointer } = await openSessions({ workspace: process.cwd() });
 * const agent = new Agent({ provider, tools, workspace, session: store, checkpointer });
 * ```
 */
export async function openSessions(options: OpenSessionsOptions): Promise<Sessions> {
  const location = await resolveSessionDir({
    workspace: options.workspace,
    dir: options.dir,
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  return {
    ...location,
    store: new FileSessionStore({ dir: location.dir }),
    checkpointer: createCheckpointer({
      workspace: options.workspace,
      dir: location.dir,
      ...(options.git === undefined ? {} : { git: options.git }),
    }),
  };
}
