import { defineTool, type Tool, ToolError } from "@gemma-coder/core";
import { z } from "zod";
import type { ToolFileSystem } from "../fs/file-system.js";
import { guard } from "../fs/guard.js";
import { decodeText, encodeText, readTextContent, type TextContent } from "../fs/text-file.js";
import { resolveOptions, type ToolsOptions } from "../options.js";
import { resolveWorkspacePath } from "../paths/resolve-workspace-path.js";
import { findClosestLines, findIgnoringWhitespace } from "../text/closest-lines.js";
import { TOOL_NAMES } from "../tool-names.js";
import { writeResolved } from "./write-file.js";

/** Files larger than this are refused by `edit_file` (use `write_file`). */
export const MAX_EDIT_BYTES = 10 * 1024 * 1024;
const MAX_LISTED_MATCHES = 10;
const MAX_SHOWN_LINES = 12;
const CLOSEST_MIN_SCORE = 0.35;

const replacement = z.object({
  old: z.string(),
  new: z.string(),
  replace_all: z.boolean().optional(),
});

const editFileInput = z.object({
  path: z.string(),
  old: z.string(),
  new: z.string(),
  replace_all: z.boolean().optional(),
  edits: z.array(replacement).optional(),
});

/** The input of `edit_file`. */
export type EditFileInput = z.output<typeof editFileInput>;

/** One replacement of {@link EditFileInput}. */
type Replacement = z.output<typeof replacement>;

/**
 * Creates `edit_file`: replaces exact text in a file. `old` must occur exactly once
 * (or set `replace_all`); the replacement is taken literally. `edits` adds more
 * replacements applied in order after the first; all of them succeed or nothing is
 * written. When `old` is not found, the error shows the closest lines with their numbers.
 *
 * @param options - The workspace root.
 * @returns The tool.
 */
export function createEditFileTool(options: ToolsOptions): Tool<EditFileInput, string> {
  const { root, fs: backEnd } = resolveOptions(options);
  return defineTool({
    name: TOOL_NAMES.editFile,
    description: "Replace exact text old with new in a file (edits: more pairs).",
    inputSchema: editFileInput,
    execute: (input, context) =>
      guard(context?.signal, input.path, "edit", async () => {
        const edits: Replacement[] = [
          input.replace_all === undefined
            ? { old: input.old, new: input.new }
            : { old: input.old, new: input.new, replace_all: input.replace_all },
          ...(input.edits ?? []),
        ];
        const resolved = await resolveWorkspacePath(root, input.path, { write: true });
        let content: Awaited<ReturnType<typeof readTextContent>>;
        try {
          content = backEnd
            ? await readFromBackEnd(backEnd, resolved.absolute, input.path, context?.signal)
            : await readTextContent(resolved.absolute, input.path, MAX_EDIT_BYTES);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "ENOENT") {
            throw new ToolError(
              `${JSON.stringify(input.path)} does not exist. To create a file use write_file.`,
            );
          }
          throw error;
        }
        let text = content.text;
        const changedLines: number[] = [];
        for (const [index, edit] of edits.entries()) {
          try {
            const result = applyEdit(text, edit, input.path);
            text = result.text;
            changedLines.push(...result.lines);
          } catch (error) {
            if (edits.length === 1) throw error;
            const message = error instanceof Error ? error.message : String(error);
            throw new ToolError(
              `Edit ${index + 1} of ${edits.length} failed: ${message}\nNo change was written.`,
            );
          }
        }
        if (backEnd) {
          const body = content.crlf ? text.replace(/\r?\n/g, "\r\n") : text;
          await backEnd.writeTextFile(resolved.absolute, body, context?.signal);
        } else
          await writeResolved(resolved, input.path, encodeText(text, content), context?.signal);
        const count = changedLines.length;
        const where =
          count === 1
            ? `at line ${changedLines[0]}`
            : `at lines ${changedLines.slice(0, MAX_LISTED_MATCHES).join(", ")}${count > MAX_LISTED_MATCHES ? ", ..." : ""}`;
        const summary = `Edited ${resolved.relative}: ${count} ${count === 1 ? "replacement" : "replacements"} ${where}.`;
        if (edits.length !== 1 || count !== 1) return summary;
        return `${summary}\n${numbered(text.split("\n"), changedLines[0]! - 1, lineCount(edits[0]!.new) + 2)}`;
      }),
  });
}

/** Reads a file through a back-end, with the same size limit and line-end handling as the disk. */
async function readFromBackEnd(
  backEnd: ToolFileSystem,
  absolute: string,
  shown: string,
  signal: AbortSignal | undefined,
): Promise<TextContent> {
  const raw = await backEnd.readTextFile(absolute, signal);
  const size = Buffer.byteLength(raw, "utf8");
  if (size > MAX_EDIT_BYTES) {
    throw new ToolError(
      `${JSON.stringify(shown)} is too large to edit (${size} bytes, limit ${MAX_EDIT_BYTES}).`,
    );
  }
  // The same decoding as a file on disk: CRLF throughout is undone for matching and
  // restored on write; a byte-order mark is the editor's business, so it is dropped.
  const { text, crlf } = decodeText(Buffer.from(raw, "utf8"));
  return { text, bom: false, crlf, size };
}

function lineCount(text: string): number {
  return text.split("\n").length;
}

function applyEdit(
  text: string,
  edit: Replacement,
  shown: string,
): { text: string; lines: number[] } {
  // Models copy text from a CRLF file as they saw it (with \n); the file text is normalized too.
  const old = edit.old.replace(/\r\n/g, "\n");
  const replacementText = edit.new.replace(/\r\n/g, "\n");
  if (old === "") {
    throw new ToolError(
      "old is empty: give the exact text to replace. To write a whole file use write_file.",
    );
  }
  if (old === replacementText) {
    throw new ToolError("old and new are the same; nothing would change.");
  }
  const positions: number[] = [];
  for (let i = text.indexOf(old); i !== -1; i = text.indexOf(old, i + old.length)) {
    positions.push(i);
  }
  if (positions.length === 0) throw new ToolError(notFoundMessage(text, old, shown));
  const lines = positions.map((position) => lineOf(text, position));
  if (positions.length > 1 && !edit.replace_all) {
    const listed = lines.slice(0, MAX_LISTED_MATCHES).join(", ");
    throw new ToolError(
      `old occurs ${positions.length} times in ${JSON.stringify(shown)} (lines ${listed}${positions.length > MAX_LISTED_MATCHES ? ", ..." : ""}). Include more surrounding lines so it matches once, or set replace_all: true.`,
    );
  }
  // split/join and slicing take the replacement literally; String.replace would expand `$&`.
  const next = edit.replace_all
    ? text.split(old).join(replacementText)
    : text.slice(0, positions[0]!) + replacementText + text.slice(positions[0]! + old.length);
  const shift = lineCount(replacementText) - lineCount(old);
  return { text: next, lines: lines.map((line, i) => line + i * shift) };
}

function lineOf(text: string, position: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < position; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

function numbered(lines: readonly string[], firstIndex: number, count: number): string {
  const from = Math.max(0, firstIndex - 1);
  const to = Math.min(lines.length, from + Math.min(count, MAX_SHOWN_LINES));
  return lines
    .slice(from, to)
    .map((line, i) => `${from + i + 1}| ${line}`)
    .join("\n");
}

const LINE_NUMBER_PREFIX = /^\s*\d+\s*[|:\t]/;

function notFoundMessage(text: string, old: string, shown: string): string {
  const fileLines = text.split("\n");
  const parts = [`old was not found in ${JSON.stringify(shown)} (0 matches).`];
  const oldLines = old.split("\n").filter((line) => line.trim() !== "");
  if (oldLines.length > 0 && oldLines.every((line) => LINE_NUMBER_PREFIX.test(line))) {
    parts.push("It seems to include line numbers from read_file: leave out the `12| ` prefixes.");
  }
  const loose = findIgnoringWhitespace(fileLines, old);
  if (loose) {
    const last = loose.line + loose.count - 1;
    parts.push(
      `It matches line${loose.count === 1 ? ` ${loose.line}` : `s ${loose.line}-${last}`} if spacing is ignored; copy the exact indentation and spaces:`,
    );
    parts.push(numbered(fileLines, loose.line, loose.count));
    return parts.join("\n");
  }
  const closest = findClosestLines(fileLines, old);
  if (closest && closest.score >= CLOSEST_MIN_SCORE) {
    parts.push("Closest lines:");
    parts.push(numbered(fileLines, closest.line - 1, closest.count + 2));
    parts.push("Copy the exact text (without the line numbers) or read_file again.");
  } else {
    parts.push("No similar lines were found; read_file again to copy the exact text.");
  }
  return parts.join("\n");
}
