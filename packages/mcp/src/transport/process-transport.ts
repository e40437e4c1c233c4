import { type ChildProcess, spawn } from "node:child_process";
import { killProcessGroup } from "@gemma-coder/tools";
import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/** Options of {@link ProcessTransport}. */
export interface ProcessTransportOptions {
  /** The program. */
  command: string;
  /** Its arguments. */
  args: readonly string[];
  /** Its whole environment (nothing else is inherited). */
  env: Record<string, string>;
  /** Its working folder. */
  cwd?: string | undefined;
  /** How long `close()` waits for the server to exit after its input is closed. */
  closeGraceMs: number;
  /** The longest message accepted, in bytes; a longer one closes the connection. */
  maxMessageBytes: number;
  /** Receives what the server writes on stderr (its log), a chunk at a time. */
  onStderr?: ((chunk: string) => void) | undefined;
}

/** Every server process still running, so an exiting host can kill them all. */
const live = new Set<ChildProcess>();

/**
 * Kills every MCP server process this module started and that is still running, with
 * everything they started. Synchronous, for a host's `exit` handler: a host that exits
 * without closing its tool sets leaves no server behind.
 */
export function killMcpServers(): void {
  for (const child of live) killProcessGroup(child);
  live.clear();
}

/**
 * The stdio transport of an MCP client, started as its own process group so that closing
 * it stops everything the server started (an `npx` wrapper and the real server, say):
 * the server's input is closed, and after a grace period the whole group is killed.
 * Messages larger than `maxMessageBytes` close the connection instead of growing memory.
 */
export class ProcessTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage) => void) | undefined;
  private child: ChildProcess | undefined;
  private readonly buffer: ReadBuffer;
  private exited: Promise<void> | undefined;
  /** The stop in progress: a second `close` (the client closes its transport too) waits for it. */
  private closing: Promise<void> | undefined;

  /**
   * Creates the transport; nothing starts before `start()`.
   *
   * @param options - The program and the limits.
   */
  constructor(private readonly options: ProcessTransportOptions) {
    this.buffer = new ReadBuffer({ maxBufferSize: options.maxMessageBytes });
  }

  /** The server's process id, once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the server; rejects when the program cannot be started. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const { command, args, env, cwd } = this.options;
      const child = spawn(command, [...args], {
        env,
        ...(cwd === undefined ? {} : { cwd }),
        stdio: ["pipe", "pipe", "pipe"],
        detached: process.platform !== "win32",
        windowsHide: true,
      });
      this.child = child;
      this.exited = new Promise((done) => child.once("close", () => done()));
      child.once("error", (error) => {
        live.delete(child);
        reject(error);
        this.onerror?.(error);
      });
      child.once("spawn", () => {
        live.add(child);
        resolve();
      });
      child.once("close", () => {
        live.delete(child);
        // Whatever the server started dies with it.
        killProcessGroup(child);
        if (this.child === child) this.child = undefined;
        this.onclose?.();
      });
      child.stdin?.on("error", (error) => this.onerror?.(error));
      child.stdout?.on("data", (chunk: Buffer) => this.receive(chunk));
      child.stderr?.setEncoding("utf8");
      child.stderr?.on("data", (chunk: string) => this.options.onStderr?.(chunk));
    });
  }

  private receive(chunk: Buffer): void {
    try {
      this.buffer.append(chunk);
    } catch (error) {
      this.onerror?.(error as Error);
      void this.close();
      return;
    }
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.buffer.readMessage();
      } catch (error) {
        // A line that is not JSON-RPC (a stray log line on stdout) is reported and skipped.
        this.onerror?.(error as Error);
        continue;
      }
      if (message === null) return;
      this.onmessage?.(message);
    }
  }

  /** Sends one message. */
  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || stdin.destroyed) {
        reject(new Error("The MCP server is not running."));
        return;
      }
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once("drain", resolve);
    });
  }

  /**
   * Stops the server: its input is closed (servers exit on end of input), then after the
   * grace period the whole process group is killed. Resolves once it has exited, for
   * every caller: the SDK's client closes its transport and then the owner does, and the
   * second call must not return while the first is still waiting for the exit.
   */
  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  private async stop(): Promise<void> {
    const child = this.child;
    this.buffer.clear();
    if (!child) return;
    this.child = undefined;
    child.stdin?.end();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.closeGraceMs);
    });
    await Promise.race([this.exited, grace]);
    clearTimeout(timer);
    killProcessGroup(child);
    await this.exited;
  }
}
