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
 * When a process started, as Linux's /proc reports it (clock ticks since boot), or
 * `undefined` where there is no /proc. With the pid it names one process for good: a pid
 * is reused by another process once its own is gone, a pid and start time are not.
 */
async function processStartTime(pid: number): Promise<string | undefined> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (stat === undefined) return undefined;
  // Field 22 of proc(5); the command name (field 2) is in parentheses and may hold spaces.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
}

/** What a lock file says of its holder: `<pid>\nstarted <start time>\n` (the second line is optional). */
function parseLock(text: string): { pid: number; started: string | undefined } {
  const [first = "", second = ""] = text.split("\n");
  const started = /^started (\d+)$/.exec(second)?.[1];
  return { pid: Number.parseInt(first.trim(), 10), started };
}

/** Whether the process a lock names still runs: the same pid, started at the same time. */
async function isHolderRunning(holder: {
  pid: number;
  started: string | undefined;
}): Promise<boolean> {
  if (!isRunning(holder.pid)) return false;
  if (holder.started === undefined) return true;
  const now = await processStartTime(holder.pid);
  return now === undefined || now === holder.started;
}

/**
 * Takes the lock file of a session (`<id>.lock`, holding the owner's process id and start time), so two
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
  const started = await processStartTime(process.pid);
  const content = `${process.pid}\n${started === undefined ? "" : `started ${started}\n`}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(file, content, { flag: "wx", mode: PRIVATE_FILE_MODE });
      installExitHook();
      held.add(file);
      return;
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error;
    }
    const text = await fs.readFile(file, "utf8").catch(() => "");
    const holder = parseLock(text);
    const pid = holder.pid;
    // An unreadable or half-written lock is left for a moment: its writer may be mid-write.
    if (
      Number.isInteger(pid) &&
      pid > 0 &&
      pid !== process.pid &&
      (await isHolderRunning(holder))
    ) {
      throw new GemmaCoderError(
        `Session ${sessionId} is in use by another gemma-coder process (pid ${pid}); wait for it to finish, or stop it. If no such process is running, delete ${file}.`,
        { code: "busy" },
      );
    }
    if (Number.isInteger(pid) && pid > 0) {
      // Stale: its process is gone (or its pid now names another process, or it is this
      // process, which does not hold it). Read
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
