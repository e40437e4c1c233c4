import { readFileSync } from "node:fs";
import { Readable, Writable } from "node:stream";
import { agent as acpAgent, ndJsonStream } from "@agentclientprotocol/sdk";
import type { CliArgs } from "../args.js";
import type { Env } from "../config/resolve-settings.js";
import { EXIT_CODES, type ExitCode } from "../exit-codes.js";
import type { OutStream } from "../render/live-view.js";
import { AcpServer, type ChooseProvider, toRequestError } from "./acp-server.js";

export type { ChooseProvider } from "./acp-server.js";

/** What `gemma-coder acp` runs with. */
export interface AcpOptions {
  /** Protocol messages from the editor. */
  stdin: NodeJS.ReadableStream;
  /** Protocol messages to the editor, and nothing else. */
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

function readVersion(): string {
  try {
    const url = new URL("../package.json", import.meta.url);
    return (JSON.parse(readFileSync(url, "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Runs a handler and answers what it throws as a JSON-RPC error with a clear message. */
async function answer<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toRequestError(error);
  }
}

/**
 * `gemma-coder acp`: serves the Agent Client Protocol on stdin/stdout until stdin closes
 * (or SIGTERM), then cancels every prompt, waits until their commands are gone, and
 * resolves. The JSON-RPC framing, malformed lines, unknown methods and requests before
 * `initialize` are handled by the official SDK.
 *
 * @param args - The parsed command line (provider, model, limits, `--yes`, ...).
 * @param options - Streams, environment and the provider choice.
 * @returns Exit code 0 once the connection ended.
 */
export async function runAcp(args: CliArgs, options: AcpOptions): Promise<ExitCode> {
  // Only protocol on stdout: a stray console.log from any library goes to stderr.
  console.log = console.error;
  console.info = console.error;
  const shutdown = new AbortController();
  const server = new AcpServer(
    {
      args,
      env: options.env,
      stderr: options.stderr,
      chooseProvider: options.chooseProvider,
      signal: shutdown.signal,
    },
    readVersion(),
  );
  const app = acpAgent({ name: "gemma-coder" })
    .onRequest("initialize", ({ params }) => server.initialize(params.clientCapabilities))
    .onRequest("session/new", ({ params, client }) =>
      answer(() => server.newSession(client, params.cwd, params.mcpServers)),
    )
    .onRequest("session/load", ({ params, client }) =>
      answer(async () => {
        await server.loadSession(client, params.cwd, params.sessionId, params.mcpServers);
        return {};
      }),
    )
    .onRequest("session/close", ({ params }) =>
      answer(async () => {
        await server.closeSession(params.sessionId);
        return {};
      }),
    )
    .onRequest("session/prompt", ({ params }) =>
      answer(() => server.session(params.sessionId).prompt(params.prompt)),
    )
    .onNotification("session/cancel", ({ params }) => server.cancel(params.sessionId));

  const input = Readable.toWeb(options.stdin as Readable) as ReadableStream<Uint8Array>;
  const output = Writable.toWeb(
    options.stdout as unknown as Writable,
  ) as WritableStream<Uint8Array>;
  const connection = app.connect(ndJsonStream(output, input));
  const stop = () => connection.close();
  if (options.handleSignals) {
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  }
  try {
    await connection.closed;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    options.stderr.write(`gemma-coder acp: the connection ended: ${message}\n`);
  } finally {
    shutdown.abort();
    await server.close();
    if (options.handleSignals) {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
    }
  }
  return EXIT_CODES.done;
}
