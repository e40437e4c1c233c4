import path from "node:path";
import type { ToolCallContent } from "@agentclientprotocol/sdk";

/** One replacement of an `edit_file` call. */
interface Replacement {
  old: string;
  new: string;
  replace_all?: boolean;
}

function replacementsOf(input: Record<string, unknown>): Replacement[] | undefined {
  const all: unknown[] = [input, ...(Array.isArray(input.edits) ? input.edits : [])];
  const edits: Replacement[] = [];
  for (const edit of all) {
    const { old, new: next, replace_all } = (edit ?? {}) as Record<string, unknown>;
    if (typeof old !== "string" || typeof next !== "string" || old === "") return undefined;
    edits.push({ old, new: next, replace_all: replace_all === true });
  }
  return edits;
}

/** The text after `edit_file`'s replacements, or `undefined` when one would not apply. */
function applyReplacements(text: string, edits: readonly Replacement[]): string | undefined {
  let result = text;
  for (const edit of edits) {
    const at = result.indexOf(edit.old);
    if (at === -1) return undefined;
    result = edit.replace_all
      ? result.split(edit.old).join(edit.new)
      : result.slice(0, at) + edit.new + result.slice(at + edit.old.length);
  }
  return result;
}

/**
 * What a permission question shows besides the title: the diff a file change would make
 * (computed from the file's current text and the call's arguments) or the whole command,
 * so the person answers knowing exactly what will happen.
 *
 * @param tool - The tool's name.
 * @param input - The call's validated arguments.
 * @param root - The session's workspace root.
 * @param oldText - The file's current text (`null` when it does not exist yet).
 * @returns The content to attach to the tool call in `session/request_permission`.
 */
export function permissionPreview(
  tool: string,
  input: Record<string, unknown>,
  root: string,
  oldText: string | null | undefined,
): ToolCallContent[] {
  const file = typeof input.path === "string" ? path.resolve(root, input.path) : undefined;
  if (tool === "write_file" && file !== undefined && typeof input.content === "string") {
    return [{ type: "diff", path: file, oldText: oldText ?? null, newText: input.content }];
  }
  if (tool === "edit_file" && file !== undefined && typeof oldText === "string") {
    const edits = replacementsOf(input);
    const newText = edits && applyReplacements(oldText.replace(/\r\n/g, "\n"), edits);
    if (newText !== undefined) {
      return [{ type: "diff", path: file, oldText: oldText.replace(/\r\n/g, "\n"), newText }];
    }
  }
  if (tool === "run_shell" && typeof input.command === "string") {
    return [{ type: "content", content: { type: "text", text: `$ ${input.command}` } }];
  }
  return [];
}
