import { promises as fs } from "node:fs";
import path from "node:path";
import { GemmaCoderError } from "@gemma-coder/core/basics";
import type { LoadedConfig } from "./config-file.js";

/** An `mcpServers` object as read from a file: checked entry by entry when the servers start. */
export type McpServerEntries = Record<string, Record<string, unknown>>;

/** The MCP servers of a run, merged from every layer, and the file each one came from. */
export interface McpServerSettings {
  /** The entries, keyed by server name. */
  servers: McpServerEntries;
  /** For each server, the file that set it (a later layer replaces a same-named server). */
  sources: Record<string, string>;
}

function isEntries(value: unknown): value is McpServerEntries {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  return Object.values(value).every(
    (entry) => entry !== null && typeof entry === "object" && !Array.isArray(entry),
  );
}

/**
 * Reads the file given to `--mcp-config`: a JSON file with an `mcpServers` object (the
 * format other MCP hosts use), or the object alone. The user named it, so it is trusted
 * wherever it is.
 *
 * @param file - The path, resolved against the workspace.
 * @returns The entries.
 * @throws GemmaCoderError `config` when the file is missing, not JSON or not that shape.
 */
export async function readMcpConfigFile(file: string): Promise<McpServerEntries> {
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(file, "utf8"));
  } catch (error) {
    const why =
      error instanceof SyntaxError
        ? `is not valid JSON (${error.message})`
        : `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    throw new GemmaCoderError(`The MCP config file ${file} (from --mcp-config) ${why}.`, {
      code: "config",
      cause: error,
    });
  }
  const servers =
    json !== null && typeof json === "object" && "mcpServers" in json
      ? (json as { mcpServers: unknown }).mcpServers
      : json;
  if (!isEntries(servers)) {
    throw new GemmaCoderError(
      `The MCP config file ${file} (from --mcp-config) should hold {"mcpServers": {"name": {"command": ..., "args": [...]}}}.`,
      { code: "config" },
    );
  }
  return servers;
}

/**
 * Merges the MCP servers of every layer: the user config, then the project config (when
 * its folder is trusted; an untrusted one reaches here without them), then the
 * `--mcp-config` file. A server named again in a later layer replaces the earlier entry.
 *
 * @param files - The config files read, highest precedence first (project, then user).
 * @param flagFile - The `--mcp-config` value, if any.
 * @param workspace - What a relative `--mcp-config` path is resolved against.
 * @returns The servers, or `undefined` when no layer names one.
 */
export async function collectMcpServers(
  files: readonly LoadedConfig[],
  flagFile: string | undefined,
  workspace: string,
): Promise<McpServerSettings | undefined> {
  const layers: Array<[McpServerEntries | undefined, string]> = [...files]
    .reverse()
    .map((file) => [file.config.mcpServers, file.path]);
  if (flagFile !== undefined) {
    const file = path.resolve(workspace, flagFile);
    layers.push([await readMcpConfigFile(file), file]);
  }
  const merged: McpServerSettings = { servers: {}, sources: {} };
  for (const [servers, source] of layers) {
    for (const [name, entry] of Object.entries(servers ?? {})) {
      merged.servers[name] = entry;
      merged.sources[name] = source;
    }
  }
  return Object.keys(merged.servers).length > 0 ? merged : undefined;
}
