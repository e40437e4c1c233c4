import { GemmaCoderError, ToolError } from "@gemma-coder/core";

/**
 * Turns anything a file operation throws into a short message for the model. Node's
 * own messages carry absolute paths and syscall names; these name the workspace path
 * the model used and say what to do instead.
 *
 * @param error - The caught value.
 * @param shownPath - The path as the model wrote it (relative to the workspace).
 * @param action - What was attempted, e.g. `read` or `write`.
 * @returns A {@link ToolError}, or the error itself when it is already one of the SDK's.
 */
export function toToolError(error: unknown, shownPath: string, action: string): GemmaCoderError {
  if (GemmaCoderError.isInstance(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const p = JSON.stringify(shownPath);
  const message = ((): string => {
    switch (code) {
      case "ENOENT":
        return `${p} does not exist. Use list_files to see what is there.`;
      case "EACCES":
      case "EPERM":
        return `Permission denied: cannot ${action} ${p}.`;
      case "EISDIR":
        return `${p} is a folder, not a file. Use list_files to see what it contains.`;
      case "ENOTDIR":
        return `A part of ${p} is a file, not a folder.`;
      case "ELOOP":
        return `${p} has too many levels of symbolic links.`;
      case "ENAMETOOLONG":
        return `The path ${p} is too long.`;
      case "ENOSPC":
      case "EDQUOT":
        return `No space left on the disk to ${action} ${p}.`;
      case "EROFS":
        return `Cannot ${action} ${p}: the file system is read-only.`;
      case "EBUSY":
      case "ETXTBSY":
        return `${p} is in use by another program; try again later.`;
      case "EMFILE":
      case "ENFILE":
        return `Too many open files to ${action} ${p}; try again.`;
      case "EEXIST":
        return `${p} already exists.`;
      default: {
        const detail = code ?? (error instanceof Error ? error.message : String(error));
        return `Could not ${action} ${p} (${detail}).`;
      }
    }
  })();
  return new ToolError(message, { cause: error });
}
