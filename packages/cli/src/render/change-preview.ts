import { promises as fs } from "node:fs";

/** A file change as it would be after the call: the text before and after. */
export interface ChangePreview {
  /** The path as the model wrote it. */
  path: string;
  /** The file's text now (empty for a new file). */
  before: string;
  /** The file's text after the call. */
  after: string;
  /** Whether the file does not exist yet. */
  created: boolean;
}

/** Files larger than this get no diff in the approval prompt. */
export const MAX_PREVIEW_BYTES = 1024 * 1024;

type Replacement = { old: string; new: string; replace_all?: boolean };

/**
 * Computes what a `write_file` or `edit_file` call would make of its file, for the diff
 * in the approval prompt. The file is found the way the tools find it (inside the
 * workspace, symbolic links resolved), and only read. Edits are applied literally, in
 * order; when one would not apply (its text is missing or not unique) there is no
 * preview, since the tool will refuse the call anyway.
 *
 * @param root - The workspace folder.
 * @param tool - The tool's name.
 * @param input - The call's arguments.
 * @returns The preview, or `undefined` when there is none to show.
 */
export async function previewChange(
  root: string,
  tool: string,
  input: Record<string, unknown>,
): Promise<ChangePreview | undefined> {
  if (tool !== "write_file" && tool !== "edit_file") return undefined;
  const file = input.path;
  if (typeof file !== "string") return undefined;
  const { resolveWorkspacePath } = await import("@gemma-coder/tools");
  let before: string | undefined;
  try {
    const resolved = await resolveWorkspacePath(root, file, { write: true });
    const stats = await fs.stat(resolved.absolute).catch(() => undefined);
    if (stats && (!stats.isFile() || stats.size > MAX_PREVIEW_BYTES)) return undefined;
    before = stats ? await fs.readFile(resolved.absolute, "utf8") : undefined;
  } catch {
    return undefined;
  }
  if (tool === "write_file") {
    if (typeof input.content !== "string") return undefined;
    return {
      path: file,
      before: before ?? "",
      after: input.content,
      created: before === undefined,
    };
  }
  if (before === undefined) return undefined;
  const first = { old: input.old, new: input.new, replace_all: input.replace_all };
  const edits = [first, ...(Array.isArray(input.edits) ? input.edits : [])] as Replacement[];
  let after = before;
  for (const edit of edits) {
    const next = applyLiterally(after, edit);
    if (next === undefined) return undefined;
    after = next;
  }
  return { path: file, before, after, created: false };
}

function applyLiterally(text: string, edit: Replacement): string | undefined {
  if (typeof edit?.old !== "string" || typeof edit.new !== "string" || edit.old === "") {
    return undefined;
  }
  const at = text.indexOf(edit.old);
  if (at === -1) return undefined;
  if (edit.replace_all === true) return text.split(edit.old).join(edit.new);
  if (text.indexOf(edit.old, at + 1) !== -1) return undefined;
  return text.slice(0, at) + edit.new + text.slice(at + edit.old.length);
}
