import type { McpServer } from "@agentclientprotocol/sdk";
import type { McpServerEntries, McpServerSettings } from "../config/mcp-servers.js";

/** Where an editor's servers came from, as messages name it. */
export const EDITOR_SOURCE = "the editor's session request";

/** The editor's servers as config entries, and the ones left out with why. */
export interface EditorMcpServers {
  /** The entries that are valid, keyed by name. */
  servers: McpServerEntries;
  /** One sentence per server left out. */
  problems: string[];
}

/** One ACP server description as an `mcpServers` entry (the format the config files use). */
function toEntry(server: McpServer): Record<string, unknown> | string {
  if ("type" in server && server.type === "sse") {
    return `The MCP server "${server.name}" from the editor uses SSE, which gemma-coder does not speak (stdio and Streamable HTTP only), so it was left out.`;
  }
  if ("type" in server && server.type === "http") {
    const headers = Object.fromEntries(server.headers.map((header) => [header.name, header.value]));
    return { type: "http", url: server.url, headers };
  }
  const stdio = server as Extract<McpServer, { command: string }>;
  const env = Object.fromEntries(stdio.env.map((variable) => [variable.name, variable.value]));
  return { command: stdio.command, args: stdio.args, env };
}

/**
 * Reads the MCP servers an editor sends with `session/new` or `session/load`. They come
 * from the user's editor settings, not from the repository, so they are trusted like the
 * user config; each is checked as a config entry is, and one that is not valid (an empty
 * command, a bad URL, SSE) is left out with a sentence saying why, so the session still
 * opens.
 *
 * @param servers - The servers as the editor sent them.
 * @returns The valid entries and the problems.
 */
export async function readEditorMcpServers(
  servers: readonly McpServer[],
): Promise<EditorMcpServers> {
  const result: EditorMcpServers = { servers: {}, problems: [] };
  if (servers.length === 0) return result;
  // Loaded only when an editor sends servers: most sessions start without the MCP client.
  const { parseMcpServers } = await import("@gemma-coder/mcp");
  for (const server of servers) {
    const entry = toEntry(server);
    if (typeof entry === "string") {
      result.problems.push(entry);
      continue;
    }
    try {
      parseMcpServers({ [server.name]: entry }, EDITOR_SOURCE);
      result.servers[server.name] = entry;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result.problems.push(
        `The MCP server "${server.name}" from the editor was left out: ${message}`,
      );
    }
  }
  return result;
}

/**
 * The servers of a session: those of its folder's settings (user config, a trusted project
 * config, `--mcp-config`), then the editor's, which replace a configured server of the
 * same name as a later config layer does.
 *
 * @param configured - The servers of the folder's settings, if any.
 * @param editor - The editor's valid entries.
 * @returns The servers with their sources, or `undefined` when there are none.
 */
export function sessionMcpServers(
  configured: McpServerSettings | undefined,
  editor: McpServerEntries,
): McpServerSettings | undefined {
  const merged: McpServerSettings = {
    servers: { ...configured?.servers },
    sources: { ...configured?.sources },
  };
  for (const [name, entry] of Object.entries(editor)) {
    merged.servers[name] = entry;
    merged.sources[name] = EDITOR_SOURCE;
  }
  return Object.keys(merged.servers).length > 0 ? merged : undefined;
}
