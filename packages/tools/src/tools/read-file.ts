import type { promises as fs } from "node:fs";
import { defineTool, type Tool, ToolError } from "@gemma-coder/core";
import { z } from "zod";
import { guard } from "../fs/guard.js";
import { BINARY_SNIFF_BYTES, binaryReason, openRegularFile } from "../fs/text-file.js";
import { resolveOptions, type ToolsOptions } from "../options.js";
import { resolveWorkspacePath } from "../paths/resolve-workspace-path.js";
import { TOOL_NAMES } from "../tool-names.js";

/** The most lines one `read_file` call returns. */
export const MAX_READ_LINES = 2000;
/** Longer lines are cut (minified files would otherwise fill the context with one line). */
export const MAX_LINE_CHARS = 2000;
const CHUNK_BYTES = 64 * 1024;
// After the shown lines, the rest of the file is only scanned to count its lines, up to this.
const COUNT_SCAN_BYTES = 64 * 1024 * 1024;

const readFileInput = z.object({
  path: z.string(),
  start_line: z.number().int().min(1).optional(),
  end_line: z.number().int().min(1).optional(),
});

/** The input of `read_file`. */
export type ReadFileInput = z.output<typeof readFileInput>;

/**
 * Creates `read_file`: reads a UTF-8 text file inside the workspace and returns its lines
 * numbered as `12| text`, optionally only `start_line` to `end_line`. Output is capped by
 * lines and characters with a note saying how to read on; binary files are refused; a
 * byte-order mark and CRLF line ends are taken off.
 *
 * @param options - The workspace root and output limit.
 * @returns The tool.
 */
export function createReadFileTool(options: ToolsOptions): Tool<ReadFileInput, string> {
  const { root, maxOutputChars, fs: backEnd } = resolveOptions(options);
  return defineTool({
    name: TOOL_NAMES.readFile,
    description: "Read a text file (numbered lines).",
    inputSchema: readFileInput,
    readOnly: true,
    execute: (input, context) =>
      guard(context?.signal, input.path, "read", async () => {
        const start = input.start_line ?? 1;
        const end = input.end_line ?? Number.POSITIVE_INFINITY;
        if (end < start) {
          throw new ToolError(`end_line (${end}) is before start_line (${start}).`);
        }
        const resolved = await resolveWorkspacePath(root, input.path);
        const request: ReadRequest = {
          shown: input.path,
          start,
          end: Math.min(end, start + MAX_READ_LINES - 1),
          requestedEnd: end,
          maxChars: maxOutputChars,
          signal: context?.signal,
        };
        if (backEnd) {
          // The back-end hands over the whole text (an editor buffer); it is numbered the
          // same way as a file on disk.
          const bytes = Buffer.from(await backEnd.readTextFile(resolved.absolute, context?.signal));
          return readNumbered(memoryHandle(bytes), bytes.length, request);
        }
        const { handle, size } = await openRegularFile(resolved.absolute, input.path);
        try {
          return await readNumbered(handle, size, request);
        } finally {
          await handle.close();
        }
      }),
  });
}

/** The one method of a file handle that {@link readNumbered} uses. */
type ReadableHandle = Pick<fs.FileHandle, "read">;

/** A read-only handle over bytes in memory, so text from a back-end reads like a file. */
function memoryHandle(bytes: Buffer): ReadableHandle {
  return {
    read: (async (buffer: Buffer, offset: number, length: number, position: number) => {
      const bytesRead = bytes.copy(
        buffer,
        offset,
        position,
        Math.min(bytes.length, position + length),
      );
      return { bytesRead, buffer };
    }) as ReadableHandle["read"],
  };
}

interface ReadRequest {
  shown: string;
  start: number;
  end: number;
  requestedEnd: number;
  maxChars: number;
  signal: AbortSignal | undefined;
}

// long-function: one streaming pass that numbers lines, caps line length and total size and stops at the range; the caps share its counters
async function readNumbered(
  handle: ReadableHandle,
  size: number,
  request: ReadRequest,
): Promise<string> {
  const { shown, start, end, maxChars, signal } = request;
  const decoder = new TextDecoder("utf-8");
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  const out: string[] = [];
  let used = 0;
  let lineNumber = 1;
  // A line is assembled from chunks; beyond MAX_LINE_CHARS only its length is kept.
  let pending = "";
  let pendingLength = 0;
  let collecting = true;
  let cutByBudget = false;
  let newlines = 0;
  let lastByte = -1;
  let position = 0;
  let scanned = 0;
  let complete = true;

  const takeLine = (text: string, length: number): void => {
    if (lineNumber >= start && lineNumber <= end) {
      const clean = text.endsWith("\r") ? text.slice(0, -1) : text;
      const full = clean.length + (length - text.length);
      const shownText =
        full > MAX_LINE_CHARS
          ? `${clean.slice(0, MAX_LINE_CHARS)} [... ${full - MAX_LINE_CHARS} more characters]`
          : clean;
      const entry = `${lineNumber}| ${shownText}`;
      if (out.length > 0 && used + entry.length + 1 > maxChars) {
        cutByBudget = true;
        collecting = false;
        return;
      }
      out.push(entry);
      used += entry.length + 1;
    }
    if (lineNumber >= end) collecting = false;
    lineNumber++;
  };

  const append = (piece: string): void => {
    pendingLength += piece.length;
    if (pending.length <= MAX_LINE_CHARS)
      pending += piece.slice(0, MAX_LINE_CHARS + 1 - pending.length);
  };

  while (position < size || position === 0) {
    signal?.throwIfAborted();
    const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position);
    if (bytesRead === 0) break;
    const chunk = buffer.subarray(0, bytesRead);
    if (position === 0) {
      const reason = binaryReason(chunk.subarray(0, BINARY_SNIFF_BYTES));
      if (reason) {
        throw new ToolError(
          `${JSON.stringify(shown)} ${reason} (${size} bytes); read_file only shows text.`,
        );
      }
    }
    position += bytesRead;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
    lastByte = chunk[bytesRead - 1]!;
    if (collecting) {
      const text = decoder.decode(chunk, { stream: true });
      let from = 0;
      for (let nl = text.indexOf("\n"); nl !== -1 && collecting; nl = text.indexOf("\n", from)) {
        append(text.slice(from, nl));
        takeLine(pending, pendingLength);
        pending = "";
        pendingLength = 0;
        from = nl + 1;
      }
      if (collecting) append(text.slice(from));
    } else {
      scanned += bytesRead;
      if (scanned > COUNT_SCAN_BYTES) {
        complete = position >= size;
        break;
      }
    }
  }
  if (collecting) {
    append(decoder.decode());
    if (pendingLength > 0) takeLine(pending, pendingLength);
  }

  const totalLines =
    complete || position >= size
      ? newlines + (lastByte !== -1 && lastByte !== 10 ? 1 : 0)
      : undefined;
  if (totalLines === 0) return "(empty file)";
  if (out.length === 0) {
    throw new ToolError(
      `start_line ${start} is past the end of ${JSON.stringify(shown)} (${totalLines ?? "fewer"} lines).`,
    );
  }
  const firstShown = start;
  const lastShown = start + out.length - 1;
  const moreInFile = totalLines === undefined || lastShown < totalLines;
  if (moreInFile) {
    const of = totalLines === undefined ? "; the file continues" : ` of ${totalLines}`;
    const cut = lastShown < request.requestedEnd;
    const why = !cut
      ? ""
      : cutByBudget
        ? " (output limit reached)"
        : ` (at most ${MAX_READ_LINES} lines per call)`;
    out.push(
      `[showing lines ${firstShown}-${lastShown}${of}${why}; use start_line=${lastShown + 1} to read more]`,
    );
  }
  return out.join("\n");
}
