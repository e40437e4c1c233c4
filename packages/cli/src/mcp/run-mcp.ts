import { readFileSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";
import type { CliArgs } from "../args.js";
import type { Env } from "../config/resolve-settings.js";
import { EXIT_CODES, type ExitCode } from "../exit-codes.js";
import type { OutStream } from "../render/live-view.js";
import { type ChooseProvider, TaskHost } from "./task-host.js";

export type { ChooseProvider } from "./task-host.js";

/** What `gemma-coder mcp` runs with. */
export interface McpServeOptions {
  /** The workspace (`--cwd`): tasks run there. */
  workspace: string;
  /** Protocol messages from the host. */
  stdin: NodeJS.ReadableStream;
  /** Protocol messages to the host, and nothing else. */
  stdout: OutStream;
  /** Every log line. */
  stderr: OutStream;
  /** The environment. */
  env: Env;
  /** Stop cleanly on SIGTERM and SIGINT (the launcher sets it). */
  handleSignals: boolean;
  /** Chooses the model backend as the CLI does. */
  chooseProvider: ChooseProvider;
}

const DESCRIPTION =
  "Hand a small, well-defined coding task (fix a lint error, rename, add docstrings, port a test, fix a failing test) to a local model working in this workspace. Say exactly what to do and where; returns the status, a summary and the files changed with diffs.";

const changedFile = z.object({
  path: z.string(),
  change: z.enum(["created", "modified", "deleted"]),
  diff: z.string(),
});

function readVersion(): string {
  try {
    const url = new URL("../package.json", import.meta.url);
    return (JSON.parse(readFileSync(url, "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * `gemma-coder mcp`: serves the Model Context Protocol on stdin/stdout with one tool,
 * `run_task`, until stdin closes (or SIGTERM), then aborts the running task and resolves.
 * The framing, the handshake and input validation are the official SDK's.
 *
 * @param args - The parsed command line (provider, model, limits, `--yes`, `--read-only`).
 * @param options - Streams, environment and the provider choice.
 * @returns Exit code 0 once the connection ended.
 */
export async function runMcp(args: CliArgs, options: McpServeOptions): Promise<ExitCode> {
  // Only protocol on stdout: a stray console.log from any library goes to stderr.
  console.log = console.error;
  console.info = console.error;
  const shutdown = new AbortController();
  const host = new TaskHost({ ...options, args, signal: shutdown.signal });
  const server = new McpServer({ name: "gemma-coder", version: readVersion() });
  server.registerTool(
    "run_task",
    {
      title: "Run a task with a local model",
      description: DESCRIPTION,
      inputSchema: {
        task: z.string().min(1).describe("What to do, in plain words, naming the files."),
        maxSteps: z.number().int().positive().max(500).optional().describe("Most model turns."),
      },
      outputSchema: {
        status: z.enum(["done", "failed", "aborted"]),
        stopReason: z.string(),
        summary: z.string(),
        message: z.string(),
        steps: z.number(),
        filesChanged: z.array(changedFile),
        refused: z.number(),
        runId: z.string(),
      },
      annotations: { readOnlyHint: args.readOnly, openWorldHint: false },
    },
    (input, extra) => {
      const token = extra._meta?.progressToken;
      return host.run(input, extra.signal, (update) => {
        if (token === undefined) return;
        void extra
          .sendNotification({
            method: "notifications/progress",
            params: { progressToken: token, ...update },
          })
          .catch(() => undefined);
      });
    },
  );

  const transport = new StdioServerTransport(
    options.stdin as Readable,
    options.stdout as unknown as Writable,
  );
  await server.connect(transport);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = resolve;
  });
  const stop = () => void server.close();
  // The SDK's transport does not notice the end of its input: the host went away.
  options.stdin.once("end", stop);
  if (options.handleSignals) {
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  }
  try {
    await closed;
  } finally {
    shutdown.abort();
    await host.close();
    options.stdin.off("end", stop);
    if (options.handleSignals) {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
    }
  }
  return EXIT_CODES.done;
}
