import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";

const CHUNK_BYTES = 1 << 20;

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /**
   * The folder the temporary file must still be in (its real path) right before the
   * rename; when a symbolic link swapped in meanwhile moved it, the write is abandoned.
   */
  readonly expectedFolder?: string;
  /** Stops between chunks. */
  readonly signal?: AbortSignal;
}

/**
 * Replaces a file's content atomically: the data goes to a temporary file in the same
 * folder, which is flushed and then renamed over the target. A crash at any point leaves
 * either the old file or the new one, never a partial one. The old file's permission bits
 * are kept. Renaming also means a hard link to a file elsewhere is replaced, not written
 * through.
 *
 * This module imports nothing from the SDK so a test can run it in a child process and
 * kill it mid-write.
 *
 * @param target - The absolute path of the file to write.
 * @param data - The new content (strings are written as UTF-8).
 * @param options - Extra safety checks.
 */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const folder = path.dirname(target);
  let mode: number | undefined;
  try {
    mode = (await fs.stat(target)).mode & 0o7777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  // A leading dot hides the temporary file from list_files and search if a crash leaves it.
  const temp = path.join(
    folder,
    `.${path.basename(target).slice(0, 80)}.${randomBytes(6).toString("hex")}.tmp`,
  );
  // "wx" is O_CREAT|O_EXCL: it never follows a symbolic link planted at the temporary name.
  const handle = await fs.open(temp, "wx", mode ?? 0o666);
  let renamed = false;
  try {
    try {
      for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
        options.signal?.throwIfAborted();
        const end = Math.min(offset + CHUNK_BYTES, bytes.length);
        await handle.write(bytes, offset, end - offset);
      }
      // The mode given to open() is reduced by the umask; restore the old bits exactly.
      if (mode !== undefined && process.platform !== "win32") await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.expectedFolder !== undefined) {
      const actual = await fs.realpath(folder);
      if (actual !== options.expectedFolder) {
        throw Object.assign(new Error("the folder changed while writing"), { code: "ESTALE" });
      }
    }
    await renameWithRetry(temp, target);
    renamed = true;
  } finally {
    if (!renamed) await fs.rm(temp, { force: true }).catch(() => undefined);
  }
}

async function renameWithRetry(from: string, to: string): Promise<void> {
  // Windows refuses to replace a file another process has open for a short while
  // (virus scanners, indexers); a few quick retries ride that out.
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const transient = code === "EPERM" || code === "EACCES" || code === "EBUSY";
      if (process.platform !== "win32" || !transient || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
    }
  }
}
