/**
 * The workspace walk alone (`.gitignore`-aware, never following a link), for paths that
 * must start fast, such as a warm repository map in a new process: the root entry loads
 * every tool and their schemas' validation library. The same function as the root
 * entry's `walkWorkspace`.
 *
 * @packageDocumentation
 */
export type { WalkEntry, WalkOptions } from "./fs/walk.js";
export { walkWorkspace } from "./fs/walk.js";
