import type { ApprovalRequest } from "@gemma-coder/core";
import { createEditFileTool, createWriteFileTool, type ToolFileSystem } from "@gemma-coder/tools";
import { workspaceRelative } from "./workspace-relative.js";

/** A file change as it would be once approved. */
export interface Proposal {
  /** The file, absolute. */
  absolutePath: string;
  /** The file relative to the workspace, with `/` separators. */
  relativePath: string;
  /** Its text now (unsaved edits included); `undefined` when the change creates it. */
  before: string | undefined;
  /** Its text after the change. */
  after: string;
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === "ENOENT";
}

/**
 * Computes what a `write_file` or `edit_file` call would make of its file by running
 * the real tool against a file system that reads the editor's text and keeps the write
 * in memory: the diff shows exactly what accepting writes, and nothing touches the disk.
 *
 * @param root - The workspace folder.
 * @param request - The call waiting for approval.
 * @param read - Reads a file as the agent sees it (the open document, else the disk).
 * @returns The proposal, or `undefined` for other tools and for a call the tool would refuse.
 */
export async function proposeChange(
  root: string,
  request: ApprovalRequest,
  read: (absolutePath: string) => Promise<string>,
): Promise<Proposal | undefined> {
  if (request.tool !== "write_file" && request.tool !== "edit_file") return undefined;
  let written: { absolutePath: string; content: string } | undefined;
  const dryRun: ToolFileSystem = {
    readTextFile: (absolutePath) => read(absolutePath),
    writeTextFile: async (absolutePath, content) => {
      written = { absolutePath, content };
    },
  };
  const options = { root, fs: dryRun };
  const tool =
    request.tool === "edit_file" ? createEditFileTool(options) : createWriteFileTool(options);
  const context = { signal: new AbortController().signal, runId: "proposal", step: 0 };
  try {
    await tool.execute(tool.inputSchema.parse(request.input) as never, context);
  } catch {
    return undefined;
  }
  if (!written) return undefined;
  const before = await read(written.absolutePath).catch((error: unknown) => {
    if (isMissing(error)) return undefined;
    throw error;
  });
  const relativePath = workspaceRelative(root, written.absolutePath);
  return { absolutePath: written.absolutePath, relativePath, before, after: written.content };
}
