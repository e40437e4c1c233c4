import { constants, promises as fs } from "node:fs";
import { ToolError } from "@gemma-coder/core";

/** How many leading bytes decide whether a file is binary (git uses the same amount). */
export const BINARY_SNIFF_BYTES = 8000;

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Opens a file for reading without following a final symbolic link and without blocking
 * on a FIFO, and makes sure it is a regular file. The path is a resolved real path, so
 * a link at its end means it was swapped after the check.
 *
 * @param absolute - The resolved absolute path.
 * @param shown - The path as the model wrote it, for messages.
 * @returns The open handle and the file's size.
 * @throws ToolError when the path is a folder or a special file.
 */
export async function openRegularFile(
  absolute: string,
  shown: string,
): Promise<{ handle: fs.FileHandle; size: number }> {
  const handle = await fs.open(absolute, OPEN_FLAGS);
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) {
      throw new ToolError(
        `${JSON.stringify(shown)} is a folder, not a file. Use list_files to see what it contains.`,
      );
    }
    if (!stats.isFile()) {
      throw new ToolError(`${JSON.stringify(shown)} is not a regular file; it cannot be read.`);
    }
    return { handle, size: stats.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Tells binary content from text: a NUL byte in the first {@link BINARY_SNIFF_BYTES}
 * bytes, or a UTF-16 byte-order mark (only UTF-8 is supported).
 *
 * @param head - The first bytes of the file.
 * @returns Why the file is not readable text, or `undefined` when it is text.
 */
export function binaryReason(head: Uint8Array): string | undefined {
  if (
    head.length >= 2 &&
    ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))
  ) {
    return "is UTF-16 encoded; only UTF-8 text files are supported";
  }
  const end = Math.min(head.length, BINARY_SNIFF_BYTES);
  for (let i = 0; i < end; i++) {
    if (head[i] === 0) return "is a binary file";
  }
  return undefined;
}

/** A text file's content with its encoding details taken off, ready to edit. */
export interface TextContent {
  /** The text, without byte-order mark and with `\n` line ends when the file used CRLF. */
  text: string;
  /** The file started with a UTF-8 byte-order mark. */
  bom: boolean;
  /** Every line of the file ended with CRLF. */
  crlf: boolean;
  /** The file size in bytes. */
  size: number;
}

/**
 * Reads a whole text file for editing.
 *
 * @param absolute - The resolved absolute path.
 * @param shown - The path as the model wrote it, for messages.
 * @param maxBytes - Files larger than this are refused.
 * @returns The decoded content.
 * @throws ToolError for binary, special or too large files.
 */
export async function readTextContent(
  absolute: string,
  shown: string,
  maxBytes: number,
): Promise<TextContent> {
  const { handle, size } = await openRegularFile(absolute, shown);
  let bytes: Buffer;
  try {
    if (size > maxBytes) {
      throw new ToolError(
        `${JSON.stringify(shown)} is too large to edit (${size} bytes, limit ${maxBytes}).`,
      );
    }
    bytes = await handle.readFile();
  } finally {
    await handle.close();
  }
  const reason = binaryReason(bytes.subarray(0, BINARY_SNIFF_BYTES));
  if (reason) throw new ToolError(`${JSON.stringify(shown)} ${reason}; it cannot be edited.`);
  return { ...decodeText(bytes), size: bytes.length };
}

/**
 * Decodes UTF-8 bytes into editable text, remembering the byte-order mark and whether
 * line ends are CRLF throughout (mixed files are left exactly as they are).
 *
 * @param bytes - The file content.
 * @returns The text and its encoding details.
 */
export function decodeText(bytes: Uint8Array): { text: string; bom: boolean; crlf: boolean } {
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .subarray(bom ? 3 : 0)
    .toString("utf8");
  const newlines = countOf(raw, "\n");
  const crlf = newlines > 0 && countOf(raw, "\r\n") === newlines;
  return { text: crlf ? raw.replaceAll("\r\n", "\n") : raw, bom, crlf };
}

/**
 * Encodes text the way a file stored it: restores CRLF line ends and the byte-order mark.
 *
 * @param text - Text with `\n` line ends.
 * @param style - The file's encoding details.
 * @returns The bytes to write.
 */
export function encodeText(text: string, style: { bom: boolean; crlf: boolean }): Buffer {
  const body = style.crlf ? text.replace(/\r?\n/g, "\r\n") : text;
  return Buffer.from(style.bom ? `\uFEFF${body}` : body, "utf8");
}

function countOf(text: string, needle: string): number {
  let count = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) {
    count++;
  }
  return count;
}
