import path from "node:path";
import { GemmaCoderError, ToolError } from "@gemma-coder/core";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, McpError, type Tool as McpTool } from "@modelcontextprotocol/sdk/types.js";
import { isStdioServer, type McpServerConfig } from "./config/server-config.js";
import type { McpCallResult } from "./tools/format-result.js";
import { ProcessTransport } from "./transport/process-transport.js";

/** Settings a connection takes from the tool set. */
export interface ConnectionSettings {
  /** Folder a relative `cwd` is resolved against, and the default `cwd`. */
  cwd: string;
  /** Default time a call may take, in milliseconds. */
  timeoutMs: number;
  /** Default time a start (handshake and tool list) may take, in milliseconds. */
  startTimeoutMs: number;
  /** Time a server gets to exit after its input is closed. */
  closeGraceMs: number;
  /** Largest message accepted from a stdio server. */
  maxMessageBytes: number;
  /** Who this client is, as told to servers. */
  clientInfo: { name: string; version: string };
  /** `fetch` for HTTP servers. */
  fetch?: typeof fetch | undefined;
}

/** The last characters a server wrote on stderr, kept for error messages. */
const STDERR_TAIL = 600;

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One configured MCP server: starts it, lists its tools, calls them with a timeout, and
 * restarts it once if it stops (a crash mid-call fails that call; the next call starts
 * the server again; a second stop leaves it down).
 */
export class ServerConnection {
  private client: Client | undefined;
  private transport: Transport | undefined;
  private stderrTail = "";
  private restarts = 0;
  private closed = false;
  private stopped: string | undefined;
  private starting: Promise<void> | undefined;

  /**
   * Creates the connection; nothing starts before {@link ServerConnection.start}.
   *
   * @param name - The server's name in the configuration.
   * @param config - Its entry.
   * @param settings - Limits and defaults.
   */
  constructor(
    readonly name: string,
    readonly config: McpServerConfig,
    private readonly settings: ConnectionSettings,
  ) {}

  /** The time one request to this server may take. */
  get timeoutMs(): number {
    return this.config.timeoutMs ?? this.settings.timeoutMs;
  }

  /** The time starting this server may take. */
  get startTimeoutMs(): number {
    return this.config.startTimeoutMs ?? this.settings.startTimeoutMs;
  }

  /** How the server is reached, for messages: the command line or the URL. */
  get target(): string {
    const config = this.config;
    return isStdioServer(config) ? [config.command, ...(config.args ?? [])].join(" ") : config.url;
  }

  private createTransport(): Transport {
    const config = this.config;
    if (!isStdioServer(config)) {
      return new StreamableHTTPClientTransport(new URL(config.url), {
        ...(config.headers ? { requestInit: { headers: config.headers } } : {}),
        ...(this.settings.fetch ? { fetch: this.settings.fetch } : {}),
      });
    }
    this.stderrTail = "";
    return new ProcessTransport({
      command: config.command,
      args: config.args ?? [],
      // Only a few harmless variables are passed on (no API keys), plus the entry's own.
      env: { ...getDefaultEnvironment(), ...config.env },
      cwd: path.resolve(this.settings.cwd, config.cwd ?? "."),
      closeGraceMs: this.settings.closeGraceMs,
      maxMessageBytes: this.settings.maxMessageBytes,
      onStderr: (chunk) => {
        this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL);
      },
    });
  }

  /** What the server last wrote on stderr, as one line for a message. */
  private stderrNote(): string {
    const tail = this.stderrTail.trim().split("\n").slice(-3).join(" | ").trim();
    return tail ? ` Its last error output: ${tail}` : "";
  }

  /**
   * Starts the server and connects (the `initialize` handshake), within the timeout.
   *
   * @throws GemmaCoderError `config` naming the server, with its error output.
   */
  async start(): Promise<void> {
    const client = new Client(this.settings.clientInfo, { capabilities: {} });
    const transport = this.createTransport();
    try {
      await client.connect(transport, { timeout: this.startTimeoutMs });
    } catch (error) {
      await client.close().catch(() => undefined);
      await transport.close().catch(() => undefined);
      const why =
        error instanceof McpError && error.code === ErrorCode.RequestTimeout
          ? `did not answer within ${seconds(this.startTimeoutMs)} of starting`
          : `could not be started: ${errorText(error)}`;
      throw new GemmaCoderError(
        `The MCP server "${this.name}" (${this.target}) ${why}.${this.stderrNote()}`,
        { code: "config", cause: error },
      );
    }
    this.client = client;
    this.transport = transport;
    this.stopped = undefined;
    client.onclose = () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.stopped = "stopped";
    };
  }

  /**
   * Lists the server's tools (all pages).
   *
   * @returns The tools as the server describes them.
   */
  async listTools(): Promise<McpTool[]> {
    const client = this.requireClient();
    const tools: McpTool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor }, {
        timeout: this.startTimeoutMs,
      });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined && tools.length < 10_000);
    return tools;
  }

  private requireClient(): Client {
    if (!this.client) {
      throw new GemmaCoderError(`The MCP server "${this.name}" is not connected.`, {
        code: "internal",
      });
    }
    return this.client;
  }

  /** Starts the server again after it stopped, once per connection. */
  private async restart(tool: string): Promise<Client> {
    if (this.restarts >= 1) {
      throw new ToolError(
        `The MCP server "${this.name}" stopped again and was not restarted, so ${tool} cannot run. Finish the task without the ${this.name} tools.`,
      );
    }
    this.restarts++;
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    try {
      await this.starting;
    } catch (error) {
      throw new ToolError(
        `The MCP server "${this.name}" stopped and could not be restarted (${errorText(error)}). Finish the task without its tools.`,
      );
    }
    return this.requireClient();
  }

  /**
   * Calls a tool. A server that stopped since the last call is started again first
   * (once per connection).
   *
   * @param tool - The tool's name on the server.
   * @param args - The validated arguments.
   * @param signal - Cancels the call (the server is told).
   * @returns The server's result.
   * @throws ToolError with an actionable message when the server stops during the call,
   *   does not answer in time, or rejects the request.
   */
  async callTool(
    tool: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<McpCallResult> {
    if (this.closed) throw new ToolError(`The MCP server "${this.name}" was shut down.`);
    const client = this.client ?? (await this.restart(tool));
    try {
      return (await client.callTool({ name: tool, arguments: args }, undefined, {
        signal,
        timeout: this.timeoutMs,
      })) as McpCallResult;
    } catch (error) {
      if (signal.aborted) throw error;
      throw this.callFailure(tool, error);
    }
  }

  /** The message the model reads when a call fails at the protocol level. */
  private callFailure(tool: string, error: unknown): ToolError {
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      return new ToolError(
        `The MCP server "${this.name}" did not answer ${tool} within ${seconds(this.timeoutMs)}, so the call was cancelled. Try smaller input, or do without this tool.`,
        { cause: error },
      );
    }
    if (this.client === undefined || this.stopped !== undefined) {
      const next =
        this.restarts >= 1
          ? "It will not be restarted again: finish the task without its tools."
          : "It is started again on the next call: repeat the call only if it is safe to run twice.";
      return new ToolError(
        `The MCP server "${this.name}" stopped while running ${tool}, so the call's effect is unknown.${this.stderrNote()} ${next}`,
        { cause: error },
      );
    }
    return new ToolError(`The MCP server "${this.name}" rejected ${tool}: ${errorText(error)}`, {
      cause: error,
    });
  }

  /** Stops the server (its whole process group after the grace period). */
  async close(): Promise<void> {
    this.closed = true;
    // A restart under way finishes first, so the server it starts is stopped too.
    await this.starting?.catch(() => undefined);
    const client = this.client;
    const transport = this.transport;
    this.client = undefined;
    this.transport = undefined;
    await client?.close().catch(() => undefined);
    await transport?.close().catch(() => undefined);
  }
}
