import type { AgentContext } from "@agentclientprotocol/sdk";
import type { ToolFileSystem } from "@gemma-coder/tools";

/** The JSON-RPC code a client answers with when a resource (here: a file) is not there. */
const RESOURCE_NOT_FOUND = -32002;

/**
 * A file-system back-end for the tools that goes through the editor
 * (`fs/read_text_file`, `fs/write_text_file`): the agent reads unsaved buffers and its
 * writes land in the editor. The tools confine every path to the workspace before they
 * call it.
 *
 * @param client - The connection to the editor.
 * @param sessionId - The ACP session the calls belong to.
 * @param can - Which of the two methods the client advertised; the others use `disk`.
 * @param disk - The local disk, for what the client does not offer.
 * @returns The back-end.
 */
export function editorFileSystem(
  client: AgentContext,
  sessionId: string,
  can: { read: boolean; write: boolean },
  disk: ToolFileSystem,
): ToolFileSystem {
  return {
    async readTextFile(absolutePath, signal) {
      if (!can.read) return disk.readTextFile(absolutePath, signal);
      try {
        const { content } = await client.request(
          "fs/read_text_file",
          { sessionId, path: absolutePath },
          signal ? { cancellationSignal: signal } : {},
        );
        return content;
      } catch (error) {
        throw editorError(error, "read");
      }
    },
    async writeTextFile(absolutePath, content, signal) {
      if (!can.write) return disk.writeTextFile(absolutePath, content, signal);
      try {
        await client.request(
          "fs/write_text_file",
          { sessionId, path: absolutePath, content },
          signal ? { cancellationSignal: signal } : {},
        );
      } catch (error) {
        throw editorError(error, "write");
      }
    },
  };
}

/** Turns the editor's JSON-RPC error into an error the tools report to the model. */
function editorError(error: unknown, action: string): Error {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const wrapped = new Error(`the editor could not ${action} it (${message})`);
  if (code === RESOURCE_NOT_FOUND || /not.?found|no such file|ENOENT/i.test(message)) {
    return Object.assign(wrapped, { code: "ENOENT" });
  }
  return wrapped;
}
