import { promises as fs, unlinkSync } from "node:fs";
import { GemmaCoderError } from "@gemma-coder/core";
import { PRIVATE_FILE_MODE } from "./private-files.js";

/** Lock files this process holds, removed when it exits however it exits normally. */
const held = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const file of held) {
      try {
        unlinkSync(file);
      } catch {
        // Already gone: nothing to release.
      }
    }
  });
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Whether a process with this id is running (one we may not signal still counts). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === "EPERM";
  }
}

/**
 * Takes the lock file of a session (`<id>.lock`, holding the owner's process id), so two
 * processes never append to one transcript at once. A lock whose process is gone (killed,
 * crashed) is stale and taken over.
 *
 * @param file - The lock file.
 * @param sessionId - The session, for the message.
 * @throws GemmaCoderError `busy` when another running process holds it.
 * @internal
 */
export async function acquireSessionLock(file: string, sessionId: string): Promise<void> {
  if (held.has(file)) return;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(file, `${process.pid}\n`, { flag: "wx", mode: PRIVATE_FILE_MODE });
      installExitHook();
      held.add(file);
      return;
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error;
    }
    const text = await fs.readFile(file, "utf8").catch(() => "");
    const pid = Number.parseInt(text.trim(), 10);
    // An unreadable or half-written lock is left for a moment: its writer may be mid-write.
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) {
      throw new GemmaCoderError(
        `Session ${sessionId} is in use by another gemma-coder process (pid ${pid}); wait for it to finish, or stop it. If no such process is running, delete ${file}.`,
        { code: "busy" },
      );
    }
    if (Number.isInteger(pid) && pid > 0) {
      // Stale: its process is gone (or is this process, which does not hold it). Read
      // again just before removing, so a lock another process took meanwhile stays.
      const again = await fs.readFile(file, "utf8").catch(() => "");
      if (again === text) await fs.rm(file, { force: true });
    } else {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new GemmaCoderError(
    `The lock of session ${sessionId} (${file}) could not be taken; delete it if no gemma-coder process is using the session.`,
    { code: "busy" },
  );
}

/**
 * Releases a session lock this process holds.
 *
 * @internal
 */
export async function releaseSessionLock(file: string): Promise<void> {
  if (!held.delete(file)) return;
  await fs.rm(file, { force: true });
}

/**
 * Whether this process holds a lock file.
 *
 * @internal
 */
export function holdsSessionLock(file: string): boolean {
  return held.has(file);
}
