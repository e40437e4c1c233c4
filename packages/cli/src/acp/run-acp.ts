import { promises as fs, readFileSync } from "node:fs";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import {
  type AgentContext,
  agent as acpAgent,
  type ClientCapabilities,
  ndJsonStream,
  PROTOCOL_VERSION,
  RequestError,
} from "@agentclientprotocol/sdk";
import {
  Agent,
  createMemorySessionStore,
  GemmaCoderError,
  type ModelProvider,
  type SessionStore,
} from "@gemma-coder/core";
import type { Sessions } from "@gemma-coder/sessions";
import type { ToolFileSystem } from "@gemma-coder/tools";
import type { CliArgs } from "../args.js";
import { type Env, resolveSettings, type Settings } from "../config/resolve-settings.js";
import { EXIT_CODES, type ExitCode } from "../exit-codes.js";
import type { OutStream } from "../render/live-view.js";
import { AcpSession } from "./acp-session.js";
import { editorFileSystem } from "./editor-fs.js";

/** The provider the CLI picked (the same choice as a terminal run: flags, config, detection). */
export type ChooseProvider = (
  settings: Settings,
  signal: AbortSignal,
) => Promise<{ provider: ModelProvider; label: string; notes: string[] }>;

/** What `gemma-coder acp` runs with. */
export interface AcpOptions {
  /** The folder the command was started in (`-C`): where config files are looked up. */
  workspace: string;
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

const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function readVersion(): string {
  try {
    const url = new URL("../package.json", import.meta.url);
    return (JSON.parse(readFileSync(url, "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Turns what a handler threw into a JSON-RPC error with a clear message. */
function toRequestError(error: unknown): RequestError {
  if (error instanceof RequestError) return error;
  if (GemmaCoderError.isInstance(error)) {
    const invalid = error.code === "invalid-argument" || error.code === "busy";
    return new RequestError(invalid ? -32602 : -32603, error.message, { code: error.code });
  }
  return RequestError.internalError(
    undefined,
    error instanceof Error ? error.message : String(error),
  );
}

async function guarded<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toRequestError(error);
  }
}

/**
 * `gemma-coder acp`: serves the Agent Client Protocol on stdin/stdout until stdin closes.
 * Each ACP session is an agent confined to the session's folder, with its transcript in
 * the user's sessions folder (so `session/load` can replay and continue it). Changes and
 * commands ask the editor first (`session/request_permission`) unless `--yes`; reads and
 * writes go through the editor when it offers `fs`.
 *
 * @param args - The parsed command line (provider, model, limits, `--yes`, ...).
 * @param options - Streams, environment and the provider choice.
 * @returns Exit code 0 once the editor closed the connection.
 */
export async function runAcp(args: CliArgs, options: AcpOptions): Promise<ExitCode> {
  const { stderr, env } = options;
  // Only protocol on stdout: a stray console.log from any library goes to stderr.
  console.log = console.error;
  console.info = console.error;
  const shutdown = new AbortController();
  const sessions = new Map<string, AcpSession>();
  let clientCapabilities: ClientCapabilities = {};
  let settings: Promise<Settings> | undefined;
  let provider: Promise<ModelProvider> | undefined;
  const stores = new Map<string, Promise<Sessions>>();
  const log = (text: string) => stderr.write(`gemma-coder acp: ${text}\n`);

  const getSettings = () => {
    settings ??= resolveSettings(args, env, options.workspace);
    settings.catch(() => {
      settings = undefined;
    });
    return settings;
  };
  const getProvider = () => {
    provider ??= getSettings().then(async (resolved) => {
      const ready = await options.chooseProvider(resolved, shutdown.signal);
      for (const note of ready.notes) log(note);
      return ready.provider;
    });
    // A failed choice (backend down) is tried again by the next session.
    provider.catch(() => {
      provider = undefined;
    });
    return provider;
  };
  const openStore = async (root: string): Promise<Sessions> => {
    let opened = stores.get(root);
    if (!opened) {
      const dir = (await getSettings()).sessionsDir;
      opened = import("@gemma-coder/sessions").then(({ openSessions }) =>
        openSessions({ workspace: root, dir, env }),
      );
      stores.set(root, opened);
      opened.catch(() => stores.delete(root));
    }
    return opened;
  };
  const checkRoot = async (cwd: string): Promise<string> => {
    const isFolder =
      path.isAbsolute(cwd) &&
      (await fs.stat(cwd).then(
        (stats) => stats.isDirectory(),
        () => false,
      ));
    if (!isFolder) {
      throw RequestError.invalidParams(
        undefined,
        `cwd must be an existing absolute folder; got ${JSON.stringify(cwd)}.`,
      );
    }
    return path.resolve(cwd);
  };

  const openSession = async (
    client: AgentContext,
    root: string,
    existing: string | undefined,
  ): Promise<{ session: AcpSession; stored: Sessions | undefined }> => {
    const [model, stored, { createTools }] = await Promise.all([
      getProvider(),
      args.session ? openStore(root) : Promise.resolve(undefined),
      import("@gemma-coder/tools"),
    ]);
    const resolved = await getSettings();
    const store: SessionStore = stored?.store ?? createMemorySessionStore();
    const sessionId = existing ?? (await store.create({ time: Date.now(), workspace: root }));
    // The agent's first run writes into the session reserved here, so the id the editor
    // holds from session/new is the transcript's id.
    const reserved: SessionStore = {
      create: async () => sessionId,
      append: (id, record) => store.append(id, record),
      load: (id) => store.load(id),
    };
    const disk: ToolFileSystem = {
      readTextFile: (file) => fs.readFile(file, "utf8"),
      writeTextFile: (file, content) => fs.writeFile(file, content, "utf8"),
    };
    const can = {
      read: clientCapabilities.fs?.readTextFile === true,
      write: clientCapabilities.fs?.writeTextFile === true,
    };
    const editorFs =
      can.read || can.write ? editorFileSystem(client, sessionId, can, disk) : undefined;
    const rules = args.noRules
      ? false
      : args.rules === undefined
        ? undefined
        : await fs.readFile(path.resolve(root, args.rules), "utf8");
    const session = new AcpSession({
      sessionId,
      root,
      client,
      fs: editorFs,
      allowAll: args.yes,
      started: existing !== undefined,
      createAgent: (hooks) =>
        new Agent({
          provider: model,
          tools: createTools({
            root,
            readOnly: args.readOnly,
            approve: hooks.approve,
            ...(hooks.fs ? { fs: hooks.fs } : {}),
          }),
          rules,
          workspace: root,
          ...(resolved.maxSteps === undefined ? {} : { maxSteps: resolved.maxSteps }),
          ...(resolved.timeoutMs === undefined ? {} : { timeoutMs: resolved.timeoutMs }),
          ...(resolved.contextWindow === undefined
            ? {}
            : { contextWindow: resolved.contextWindow }),
          ...(resolved.temperature === undefined ? {} : { temperature: resolved.temperature }),
          session: reserved,
          ...(stored ? { checkpointer: stored.checkpointer } : {}),
        }),
    });
    sessions.set(sessionId, session);
    return { session, stored };
  };

  const findSession = (sessionId: string): AcpSession => {
    const session = sessions.get(sessionId);
    if (!session) {
      throw RequestError.invalidParams(
        undefined,
        `Unknown session ${JSON.stringify(sessionId)}: start one with session/new or session/load.`,
      );
    }
    return session;
  };

  const app = acpAgent({ name: "gemma-coder" })
    .onRequest("initialize", ({ params }) => {
      clientCapabilities = params.clientCapabilities ?? {};
      return {
        // Version 1 is the only one spoken; a client asking for another gets it to decide.
        protocolVersion: PROTOCOL_VERSION,
        agentCapabilities: {
          loadSession: args.session,
          promptCapabilities: { image: false, audio: false, embeddedContext: true },
          mcpCapabilities: { http: false, sse: false },
        },
        agentInfo: { name: "gemma-coder", title: "gemma-coder", version: readVersion() },
        authMethods: [],
      };
    })
    .onRequest("session/new", ({ params, client }) =>
      guarded(async () => {
        const root = await checkRoot(params.cwd);
        const { session } = await openSession(client, root, undefined);
        log(`session ${session.id} in ${root}`);
        return { sessionId: session.id };
      }),
    )
    .onRequest("session/load", ({ params, client }) =>
      guarded(async () => {
        if (!args.session) {
          throw RequestError.invalidRequest(
            undefined,
            "Sessions are off (--no-session): nothing to load.",
          );
        }
        const root = await checkRoot(params.cwd);
        if (!SESSION_ID.test(params.sessionId)) {
          throw RequestError.invalidParams(
            undefined,
            `${JSON.stringify(params.sessionId)} is not a session id.`,
          );
        }
        if (sessions.has(params.sessionId)) {
          throw RequestError.invalidRequest(
            undefined,
            `Session ${params.sessionId} is already open.`,
          );
        }
        const stored = await openStore(root);
        const snapshot = await stored.store.snapshot(params.sessionId);
        const { session } = await openSession(client, root, params.sessionId);
        await session.replay(snapshot.messages.filter((message) => message.role !== "system"));
        return {};
      }),
    )
    .onRequest("session/prompt", ({ params }) =>
      guarded(() => findSession(params.sessionId).prompt(params.prompt)),
    )
    .onNotification("session/cancel", ({ params }) => {
      sessions.get(params.sessionId)?.cancel();
    });

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
    log(`the connection ended: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    shutdown.abort();
    // Cancel every prompt and wait until their commands are gone, then let go of the model.
    await Promise.allSettled([...sessions.values()].map((session) => session.close()));
    const chosen = await provider?.catch(() => undefined);
    await chosen?.dispose?.();
    if (options.handleSignals) {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
    }
  }
  return EXIT_CODES.done;
}
