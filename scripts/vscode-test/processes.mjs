// Every process the runner starts (code-server and its children, Chromium) is tracked here by
// process group, so a finished run, a failed run, a timeout and Ctrl-C all end with nothing
// left running; scratch folders likewise. Kills are synchronous so they also work from an
// `exit` handler.

import { rmSync } from "node:fs";

/** Process-group ids of the live children, each the pid of a group leader. */
const groups = new Set();
/** Scratch folders removed when the process exits (a signal skips the `finally` blocks). */
const folders = new Set();
let handlersInstalled = false;

/**
 * Tracks a child started with `detached: true` (so it leads its own process group).
 *
 * @param pid - The child's pid.
 * @returns A function that kills the group and stops tracking it.
 */
export function trackGroup(pid) {
  groups.add(pid);
  installHandlers();
  return () => killGroup(pid);
}

/**
 * Kills one tracked group: SIGKILL to every process in it. Safe to call twice.
 *
 * @param pid - The group leader's pid.
 */
export function killGroup(pid) {
  groups.delete(pid);
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Kills every tracked group. */
export function killAllGroups() {
  for (const pid of [...groups]) killGroup(pid);
}

/**
 * Tracks a scratch folder, removed at exit if it is still there.
 *
 * @param dir - The folder.
 * @returns A function that removes it now and stops tracking it.
 */
export function trackFolder(dir) {
  folders.add(dir);
  installHandlers();
  return () => {
    folders.delete(dir);
    rmSync(dir, { recursive: true, force: true });
  };
}

function cleanUpAtExit() {
  killAllGroups();
  for (const dir of [...folders]) rmSync(dir, { recursive: true, force: true });
}

/**
 * Whether a process group still has a live member.
 *
 * @param pid - The group leader's pid.
 * @returns True while some process of the group runs.
 */
export function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function installHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", cleanUpAtExit);
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ]) {
    process.on(signal, () => {
      if (groups.size > 0) {
        process.stderr.write(`\nvscode-test: ${signal}: stopping code-server and Chromium\n`);
      }
      killAllGroups();
      process.exit(code);
    });
  }
}
