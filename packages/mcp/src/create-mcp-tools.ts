import {
  type AnyTool,
  DEFAULT_MAX_RESULT_CHARS,
  defineTool,
  GemmaCoderError,
  ToolError,
} from "@gemma-coder/core";
import type { Tool as McpTool } from "@modelcontextprotocol/sdk/types.js";
import type { McpServersConfig } from "./config/server-config.js";
import { promptBudgetWarning } from "./prompt-budget.js";
import { type ConnectionSettings, ServerConnection } from "./server-connection.js";
import { formatCallResult } from "./tools/format-result.js";
import { mcpInputSchema, shortenDescription } from "./tools/input-schema.js";
import { mcpToolName, uniqueToolName } from "./tools/tool-name.js";

/** Something the user should know about the MCP servers that does not stop the run. */
export interface McpWarning {
  /** The server concerned, when one is. */
  server?: string;
  /** `start` (the server was left out), `tools` (a tool was left out or is only partly checked), `prompt-budget`. */
  kind: "start" | "tools" | "prompt-budget";
  /** A sentence for the user. */
  message: string;
}

/** How one configured server ended up. */
export interface McpServerStatus {
  /** The server's name in the configuration. */
  name: string;
  /** `ready` when its tools are on offer, `failed` when it was left out. */
  status: "ready" | "failed" | "disabled";
  /** The names its tools reach the model under. */
  tools: string[];
  /** Why it was left out. */
  error?: GemmaCoderError;
}

/** Options of {@link createMcpTools}. */
export interface CreateMcpToolsOptions {
  /** The servers, as in an `mcpServers` configuration (see `parseMcpServers`). */
  servers: McpServersConfig;
  /** The folder servers start in (an entry's relative `cwd` is resolved against it). Default: `process.cwd()`. */
  cwd?: string | undefined;
  /** How long a server may take to answer one call, unless its entry says. Default 60,000 ms. */
  timeoutMs?: number | undefined;
  /** How long a server may take to start and list its tools, unless its entry says. Default 60,000 ms. */
  startTimeoutMs?: number | undefined;
  /** How long a server gets to exit after its input is closed before it is killed. Default 2,000 ms. */
  closeGraceMs?: number | undefined;
  /** Cap on a result's characters (head and tail kept). Default: the agent's default cap. */
  maxResultChars?: number | undefined;
  /** Cap on a tool's description in the prompt. Default 160; argument descriptions get half. */
  maxDescriptionChars?: number | undefined;
  /** Largest message accepted from a stdio server, in bytes; a larger one stops it. Default 16 MiB. */
  maxMessageBytes?: number | undefined;
  /** Called for each warning as it happens (they are also in `warnings`). */
  onWarning?: ((warning: McpWarning) => void) | undefined;
  /** `fetch` for Streamable HTTP servers, e.g. with a proxy. Default: the global one. */
  fetch?: typeof fetch | undefined;
  /** The name and version told to servers. Default `gemma-coder`. */
  clientInfo?: { name: string; version: string } | undefined;
}

/** The tools of a set of MCP servers, and the handle that stops the servers. */
export interface McpToolset {
  /** The tools of every server that started, for `new Agent({ tools })`. */
  readonly tools: AnyTool[];
  /** Each configured server and what became of it. */
  readonly servers: McpServerStatus[];
  /** The warnings so far (a server that failed to start, tools left out). */
  readonly warnings: McpWarning[];
  /**
   * Checks the fixed prompt against its budget (by default a quarter of the context
   * window) and, when it is over and the MCP tools count in it, returns and reports a
   * warning naming what the servers' tools cost.
   *
   * @param systemPrompt - The agent's system prompt (`await agent.systemPrompt()`).
   * @param contextWindow - The model's context window in tokens.
   * @returns The warning, or `undefined` when the prompt fits.
   */
  checkPromptBudget(systemPrompt: string, contextWindow: number): McpWarning | undefined;
  /** Stops every server (their whole process groups); resolves once they have exited. */
  close(): Promise<void>;
  /** The same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_CLOSE_GRACE_MS = 2_000;
const DEFAULT_DESCRIPTION_CHARS = 160;
const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** Whether a server's tool is offered, by the entry's allow and deny lists. */
function offered(connection: ServerConnection, tool: string): boolean {
  const { allow, deny } = connection.config;
  if (allow && !allow.includes(tool)) return false;
  return !deny?.includes(tool);
}

/** Turns one MCP tool into an agent tool that calls it through the connection. */
function toAgentTool(
  connection: ServerConnection,
  tool: McpTool,
  name: string,
  options: { maxResultChars: number; maxDescriptionChars: number },
  warn: (warning: McpWarning) => void,
): AnyTool {
  const input = mcpInputSchema(tool.inputSchema, Math.max(40, options.maxDescriptionChars >> 1));
  if (input.note) {
    warn({ server: connection.name, kind: "tools", message: `${name}: ${input.note}.` });
  }
  const about = tool.description ?? tool.annotations?.title ?? tool.title ?? tool.name;
  return defineTool({
    name,
    description: shortenDescription(about, options.maxDescriptionChars),
    inputSchema: input.schema,
    // Only what the server itself declares read-only skips approval.
    readOnly: tool.annotations?.readOnlyHint === true,
    async execute(args, context) {
      const result = await connection.callTool(
        tool.name,
        args as Record<string, unknown>,
        context.signal,
      );
      const { text, isError } = formatCallResult(result, options.maxResultChars);
      if (isError) throw new ToolError(text);
      return text;
    },
  });
}

/**
 * Starts the configured MCP servers (stdio programs and Streamable HTTP endpoints) and
 * turns their tools into tools for an `Agent`, named `<server>__<tool>`. A server that
 * fails to start is left out with a warning and the others go on. Each entry's `allow`
 * and `deny` lists pick tools by their names on the server; descriptions are shortened
 * to fit a small model's prompt; a tool runs without approval only when the server
 * annotates it `readOnlyHint`. Call `close()` when done: it stops every server.
 *
 * @param options - The servers and the limits.
 * @returns The tools, each server's status, the warnings, and `close()`.
 * @throws GemmaCoderError `invalid-argument` for bad options (a server that fails is not thrown).
 *
 * @example
 * ```ts
 * const mcp = await createMcpTools({
 *   servers: { everything: { command: "npx", args: ["-y", "@modelcontextprotocol/server-everything"] } },
 * });
 * try {
 *   const agent = new Agent({ provider, tools: [...createTools({ root }), ...mcp.tools] });
 *   await agent.run("Add 2 and 3 with the get-sum tool.");
 * } finally {
 *   await mcp.close();
 * }
 * ```
 */
// long-function: a factory: the servers, their tools and the returned close/budget methods share its closure
export async function createMcpTools(options: CreateMcpToolsOptions): Promise<McpToolset> {
  if (!options || typeof options.servers !== "object" || options.servers === null) {
    throw new GemmaCoderError("createMcpTools needs a servers object (as in mcpServers).", {
      code: "invalid-argument",
    });
  }
  const warnings: McpWarning[] = [];
  const warn = (warning: McpWarning): void => {
    warnings.push(warning);
    options.onWarning?.(warning);
  };
  const settings: ConnectionSettings = {
    cwd: options.cwd ?? process.cwd(),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    startTimeoutMs: options.startTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    closeGraceMs: options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    clientInfo: options.clientInfo ?? { name: "gemma-coder", version: "0" },
    fetch: options.fetch,
  };
  const limits = {
    maxResultChars: options.maxResultChars ?? DEFAULT_MAX_RESULT_CHARS,
    maxDescriptionChars: options.maxDescriptionChars ?? DEFAULT_DESCRIPTION_CHARS,
  };
  const entries = Object.entries(options.servers);
  const connections = entries
    .filter(([, config]) => config.disabled !== true)
    .map(([name, config]) => new ServerConnection(name, config, settings));
  // Started together: one slow server does not hold up the others.
  const started = await Promise.all(
    connections.map(async (connection) => {
      try {
        await connection.start();
        return { connection, tools: await connection.listTools() };
      } catch (error) {
        await connection.close();
        const failure = GemmaCoderError.isInstance(error)
          ? error
          : new GemmaCoderError(`The MCP server "${connection.name}" failed: ${String(error)}`, {
              code: "config",
              cause: error,
            });
        return { connection, error: failure };
      }
    }),
  );

  const taken = new Set<string>();
  const tools: AnyTool[] = [];
  const servers: McpServerStatus[] = entries
    .filter(([, config]) => config.disabled === true)
    .map(([name]) => ({ name, status: "disabled", tools: [] }));
  const toolServer = new Map<string, string>();
  for (const outcome of started) {
    const { connection } = outcome;
    if (outcome.error) {
      warn({
        server: connection.name,
        kind: "start",
        message: `${outcome.error.message} The agent goes on without its tools.`,
      });
      servers.push({ name: connection.name, status: "failed", tools: [], error: outcome.error });
      continue;
    }
    const names: string[] = [];
    for (const tool of outcome.tools.filter((t) => offered(connection, t.name))) {
      const name = uniqueToolName(mcpToolName(connection.name, tool.name), taken);
      tools.push(toAgentTool(connection, tool, name, limits, warn));
      toolServer.set(name, connection.name);
      names.push(name);
    }
    for (const wanted of connection.config.allow ?? []) {
      if (!outcome.tools.some((t) => t.name === wanted)) {
        warn({
          server: connection.name,
          kind: "tools",
          message: `The MCP server "${connection.name}" has no tool "${wanted}" (named in its allow list).`,
        });
      }
    }
    servers.push({ name: connection.name, status: "ready", tools: names });
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= Promise.all(connections.map((c) => c.close())).then(() => undefined);
    return closing;
  };
  return {
    tools,
    servers,
    warnings,
    checkPromptBudget(systemPrompt, contextWindow) {
      const warning = promptBudgetWarning({ systemPrompt, contextWindow, tools, toolServer });
      if (warning) warn(warning);
      return warning;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
