import { GemmaCoderError } from "@gemma-coder/core";
import { z } from "zod";

const nameList = z.array(z.string().min(1));
const timeoutMs = z.number().int().positive();

/** What every server entry may carry besides how to reach it. */
const common = {
  /** Only these tools (the server's own names) are offered; unset: all. */
  allow: nameList.optional(),
  /** These tools (the server's own names) are never offered. */
  deny: nameList.optional(),
  /** How long one call may take, in milliseconds. */
  timeoutMs: timeoutMs.optional(),
  /** How long starting (the handshake and the tool list) may take, in milliseconds. */
  startTimeoutMs: timeoutMs.optional(),
  /** `true` leaves the server out without removing its entry (as other hosts read it). */
  disabled: z.boolean().optional(),
};

const stdioSchema = z
  .object({
    type: z.literal("stdio").optional(),
    command: z.string().min(1),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    cwd: z.string().min(1).optional(),
    ...common,
  })
  .strict();

const httpSchema = z
  .object({
    type: z.enum(["http", "streamable-http", "streamableHttp"]).optional(),
    url: z.url({ protocol: /^https?$/ }),
    headers: z.record(z.string(), z.string()).optional(),
    ...common,
  })
  .strict();

/** The schema of one `mcpServers` entry: a program to start, or a URL to reach. */
export const mcpServerConfigSchema = z.union([stdioSchema, httpSchema]);

/** The schema of an `mcpServers` object, keyed by server name. */
export const mcpServersSchema = z.record(z.string().min(1), mcpServerConfigSchema);

/** A server started as a program that speaks MCP over its standard input and output. */
export type McpStdioServerConfig = z.output<typeof stdioSchema>;

/** A server reached over Streamable HTTP. */
export type McpHttpServerConfig = z.output<typeof httpSchema>;

/** One `mcpServers` entry. */
export type McpServerConfig = z.output<typeof mcpServerConfigSchema>;

/** The `mcpServers` object of a configuration, keyed by server name. */
export type McpServersConfig = Record<string, McpServerConfig>;

/**
 * Whether a server entry starts a program (as opposed to reaching a URL).
 *
 * @param config - The entry.
 * @returns `true` for a stdio server.
 */
export function isStdioServer(config: McpServerConfig): config is McpStdioServerConfig {
  return "command" in config;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.join(".") : "mcpServers";
  if (issue.code === "invalid_union") {
    return `${where}: give either "command" (with optional args, env, cwd) or "url" (with optional headers)`;
  }
  if (issue.code === "unrecognized_keys") {
    return `${where}: unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  }
  return `${where}: ${issue.message}`;
}

/**
 * Reads an `mcpServers` object as users write it (the format Claude Code, Cursor and
 * other hosts use): `{ "name": { "command", "args", "env", "cwd" } }` or
 * `{ "name": { "url", "headers" } }`, plus this project's `allow`, `deny` and
 * `timeoutMs`. A whole file with an `mcpServers` key is accepted too.
 *
 * @param value - The parsed JSON.
 * @param source - Where it came from, for messages (a file path, a flag).
 * @returns The entries, validated.
 * @throws GemmaCoderError `config` naming the entry and the problem.
 */
export function parseMcpServers(value: unknown, source: string): McpServersConfig {
  const servers =
    value !== null && typeof value === "object" && "mcpServers" in value
      ? (value as { mcpServers: unknown }).mcpServers
      : value;
  const result = mcpServersSchema.safeParse(servers);
  if (!result.success) {
    const problems = result.error.issues.slice(0, 3).map(describeIssue).join("; ");
    throw new GemmaCoderError(`The MCP servers in ${source} are not valid: ${problems}.`, {
      code: "config",
      cause: result.error,
    });
  }
  return result.data;
}
