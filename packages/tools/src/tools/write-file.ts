import { promises as fs } from "node:fs";
import path from "node:path";
import { defineTool, type Tool, ToolError } from "@gemma-coder/core";
import { z } from "zod";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { guard } from "../fs/guard.js";
import { decodeText } from "../fs/text-file.js";
import { resolveOptions, type ToolsOptions } from "../options.js";
import {
  type ResolvedWorkspacePath,
  resolveWorkspacePath,
} from "../paths/resolve-workspace-path.js";
import { TOOL_NAMES } from "../tool-names.js";

// Only this much of an existing file is read to learn its line-end style.
const STYLE_SNIFF_BYTES = 1 << 20;

const writeFileInput = z.object({
  path: z.string(),
  content: z.string(),
});

/** The input of `write_file`. */
export type WriteFileInput = z.output<typeof writeFileInput>;

/**
 * Creates `write_file`: writes a whole file inside the workspace, creating parent
 * folders. The write is atomic (temporary file plus rename), keeps the old file's
 * permission bits, and keeps its CRLF line ends and byte-order mark when the new content
 * has plain `\n` line ends. Paths inside `.git/` are refused.
 *
 * @param options - The workspace root.
 * @returns The tool.
 */
export function createWriteFileTool(options: ToolsOptions): Tool<WriteFileInput, string> {
  const { root, fs: backEnd } = resolveOptions(options);
  return defineTool({
    name: TOOL_NAMES.writeFile,
    description: "Create or overwrite a file with content.",
    inputSchema: writeFileInput,
    execute: (input, context) =>
      guard(context?.signal, input.path, "write", async () => {
        const resolved = await resolveWorkspacePath(root, input.path, { write: true });
        if (backEnd) {
          // The back-end (an editor) owns the file's encoding and line ends.
          const existed = await backEnd.readTextFile(resolved.absolute, context?.signal).then(
            () => true,
            () => false,
          );
          await backEnd.writeTextFile(resolved.absolute, input.content, context?.signal);
          const lines = countLines(input.content);
          return `${existed ? "Overwrote" : "Created"} ${resolved.relative} (${lines} ${lines === 1 ? "line" : "lines"}, ${Buffer.byteLength(input.content, "utf8")} bytes).`;
        }
        const existing = await existingStyle(resolved, input.path);
        let content = input.content;
        if (existing?.crlf && !content.includes("\r\n")) content = content.replace(/\n/g, "\r\n");
        if (existing?.bom && !content.startsWith("\uFEFF")) content = `\uFEFF${content}`;
        await writeResolved(resolved, input.path, Buffer.from(content, "utf8"), context?.signal);
        const lines = countLines(input.content);
        const bytes = Buffer.byteLength(content, "utf8");
        return `${existing ? "Overwrote" : "Created"} ${resolved.relative} (${lines} ${lines === 1 ? "line" : "lines"}, ${bytes} bytes).`;
      }),
  });
}

/**
 * Writes bytes to a resolved workspace path: creates missing parent folders, checks that
 * no link swapped in while doing so moved the target, and writes atomically.
 *
 * @internal Shared with edit_file.
 */
export async function writeResolved(
  resolved: ResolvedWorkspacePath,
  shown: string,
  bytes: Uint8Array,
  signal: AbortSignal | undefined,
): Promise<void> {
  const folder = path.dirname(resolved.absolute);
  try {
    await fs.mkdir(folder, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ENOTDIR") {
      throw new ToolError(`A part of ${JSON.stringify(shown)} is a file, not a folder.`, {
        cause: error,
      });
    }
    throw error;
  }
  if ((await fs.realpath(folder)) !== folder) {
    throw new ToolError(
      `The folder of ${JSON.stringify(shown)} changed while writing (a symbolic link appeared); nothing was written.`,
    );
  }
  await writeFileAtomic(
    resolved.absolute,
    bytes,
    signal ? { expectedFolder: folder, signal } : { expectedFolder: folder },
  );
}

async function existingStyle(
  resolved: ResolvedWorkspacePath,
  shown: string,
): Promise<{ bom: boolean; crlf: boolean } | undefined> {
  let stats: import("node:fs").Stats;
  try {
    stats = await fs.lstat(resolved.absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  if (stats.isDirectory()) {
    throw new ToolError(`${JSON.stringify(shown)} is a folder; give a file path.`);
  }
  if (!stats.isFile()) {
    throw new ToolError(`${JSON.stringify(shown)} is not a regular file; it cannot be written.`);
  }
  const handle = await fs.open(resolved.absolute, "r");
  try {
    const buffer = Buffer.alloc(Math.min(stats.size, STYLE_SNIFF_BYTES));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const { bom, crlf } = decodeText(buffer.subarray(0, bytesRead));
    return { bom, crlf };
  } finally {
    await handle.close();
  }
}

function countLines(text: string): number {
  if (text === "") return 0;
  let count = text.endsWith("\n") ? 0 : 1;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  return count;
}
