import { promises as fs } from "node:fs";
import path from "node:path";
import {
  type AgentContext,
  type ClientCapabilities,
  type InitializeResponse,
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
import type { ApprovalDecision, ApprovalRequest, ToolFileSystem } from "@gemma-coder/tools";
import type { CliArgs } from "../args.js";
import { ignoredWarning } from "../config/folder-trust.js";
import { type Env, resolveSettings, type Settings } from "../config/resolve-settings.js";
import { mapEquipment } from "../map/equip-run.js";
import type { OutStream } from "../render/live-view.js";
import { AcpSession } from "./acp-session.js";
import { editorFileSystem } from "./editor-fs.js";

/** The provider the CLI picked (the same choice as a terminal run: flags, config, detection). */
export type ChooseProvider = (
  settings: Settings,
  signal: AbortSignal,
) => Promise<{ provider: ModelProvider; label: string; notes: string[] }>;

/** What the server needs from the command line and the process. */
export interface AcpServerOptions {
  /** The parsed command line (provider, model, limits, `--yes`, ...). */
  args: CliArgs;
  /** The folder the command was started in (`-C`): where config files are looked up. */
  workspace: string;
  /** The environment. */
  env: Env;
  /** Every log line. */
  stderr: OutStream;
  /** Chooses the model backend as the CLI does. */
  chooseProvider: ChooseProvider;
  /** Aborted when the connection ends: stops a provider choice in progress. */
  signal: AbortSignal;
}

const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The local disk as a file-system back-end, for what the editor does not serve. */
const DISK: ToolFileSystem = {
  readTextFile: (file) => fs.readFile(file, "utf8"),
  writeTextFile: (file, content) => fs.writeFile(file, content, "utf8"),
};

/**
 * Turns what a handler threw into a JSON-RPC error with a clear message: bad arguments
 * and a busy session are invalid params, anything else (a backend failure) an internal
 * error carrying the provider's message and code.
 *
 * @param error - What was thrown.
 * @returns The error to answer with.
 */
export function toRequestError(error: unknown): RequestError {
  if (error instanceof RequestError) return error;
  if (GemmaCoderError.isInstance(error)) {
    const invalid = error.code === "invalid-argument" || error.code === "busy";
    return new RequestError(invalid ? -32602 : -32603, error.message, { code: error.code });
  }
  const message = error instanceof Error ? error.message : String(error);
  return RequestError.internalError(undefined, message);
}

/**
 * The agent side of one ACP connection: answers `initialize`, opens and loads sessions
 * (each an agent confined to its folder, with its transcript in the user's sessions
 * folder), and routes prompts and cancels to them. The settings and the model backend
 * are resolved at the first session, so `initialize` is answered at once.
 */
export class AcpServer {
  private readonly sessions = new Map<string, AcpSession>();
  private readonly stores = new Map<string, Promise<Sessions>>();
  private clientCapabilities: ClientCapabilities = {};
  private settings: Promise<Settings> | undefined;
  private provider: Promise<ModelProvider> | undefined;

  constructor(
    private readonly options: AcpServerOptions,
    private readonly version: string,
  ) {}

  /** Answers `initialize`: protocol version 1 and what this agent really supports. */
  initialize(capabilities: ClientCapabilities | undefined): InitializeResponse {
    this.clientCapabilities = capabilities ?? {};
    return {
      // Version 1 is the only one spoken; a client that needs another decides what to do.
      protocolVersion: PROTOCOL_VERSION,
      agentCapabilities: {
        loadSession: this.options.args.session,
        promptCapabilities: { image: false, audio: false, embeddedContext: true },
        mcpCapabilities: { http: false, sse: false },
      },
      agentInfo: { name: "gemma-coder", title: "gemma-coder", version: this.version },
      authMethods: [],
    };
  }

  /** `session/new`: a new session and transcript in `cwd`. */
  async newSession(client: AgentContext, cwd: string): Promise<{ sessionId: string }> {
    const root = await checkRoot(cwd);
    const session = await this.openSession(client, root, undefined);
    this.log(`session ${session.id} in ${root}`);
    return { sessionId: session.id };
  }

  /** `session/load`: replays a stored session's conversation, then it takes prompts. */
  async loadSession(client: AgentContext, cwd: string, sessionId: string): Promise<void> {
    if (!this.options.args.session) {
      throw RequestError.invalidRequest(
        undefined,
        "Sessions are off (--no-session): there is nothing to load.",
      );
    }
    const root = await checkRoot(cwd);
    if (!SESSION_ID.test(sessionId)) {
      throw RequestError.invalidParams(
        undefined,
        `${JSON.stringify(sessionId)} is not a session id.`,
      );
    }
    if (this.sessions.has(sessionId)) {
      throw RequestError.invalidRequest(undefined, `Session ${sessionId} is already open.`);
    }
    const stored = await this.openStore(root);
    const snapshot = await stored.store.snapshot(sessionId);
    const session = await this.openSession(client, root, sessionId);
    await session.replay(snapshot.messages.filter((message) => message.role !== "system"));
  }

  /**
   * The session a prompt or cancel names.
   *
   * @throws RequestError (invalid params) for a session this connection did not open.
   */
  session(sessionId: string): AcpSession {
    const session = this.sessions.get(sessionId);
    if (!session) {
      throw RequestError.invalidParams(
        undefined,
        `Unknown session ${JSON.stringify(sessionId)}: start one with session/new or session/load.`,
      );
    }
    return session;
  }

  /** `session/cancel`: aborts the session's running prompt; unknown sessions are ignored. */
  cancel(sessionId: string): void {
    this.sessions.get(sessionId)?.cancel();
  }

  /** Cancels every prompt, waits until their commands are gone, and lets go of the model. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.sessions.values()].map((session) => session.close()));
    const chosen = await this.provider?.catch(() => undefined);
    await chosen?.dispose?.();
  }

  private log(text: string): void {
    this.options.stderr.write(`gemma-coder acp: ${text}\n`);
  }

  private getSettings(): Promise<Settings> {
    const { args, env, workspace } = this.options;
    // Nobody can be asked (stdin carries the protocol): an untrusted project config counts
    // only with --trust-project or a remembered yes, as for `gemma-coder sessions`.
    this.settings ??= resolveSettings(args, env, workspace, {
      decideTrust: async (request) => args.trustProject || request.remembered === true,
    }).then((settings) => {
      if (settings.ignored) this.log(ignoredWarning(settings.ignored));
      for (const file of settings.foreign) {
        this.log(`the config file ${file} belongs to another user, so it was not read.`);
      }
      return settings;
    });
    this.settings.catch(() => {
      this.settings = undefined;
    });
    return this.settings;
  }

  private getProvider(): Promise<ModelProvider> {
    this.provider ??= this.getSettings().then(async (settings) => {
      const ready = await this.options.chooseProvider(settings, this.options.signal);
      for (const note of ready.notes) this.log(note);
      return ready.provider;
    });
    // A failed choice (the backend was down) is tried again by the next session.
    this.provider.catch(() => {
      this.provider = undefined;
    });
    return this.provider;
  }

  private openStore(root: string): Promise<Sessions> {
    let opened = this.stores.get(root);
    if (!opened) {
      opened = this.getSettings().then(async (settings) => {
        const { openSessions } = await import("@gemma-coder/sessions");
        return openSessions({ workspace: root, dir: settings.sessionsDir, env: this.options.env });
      });
      this.stores.set(root, opened);
      opened.catch(() => this.stores.delete(root));
    }
    return opened;
  }

  /** Opens a session: a new transcript, or `existing` to continue a stored one. */
  private async openSession(
    client: AgentContext,
    root: string,
    existing: string | undefined,
  ): Promise<AcpSession> {
    const { args } = this.options;
    const [provider, stored, settings] = await Promise.all([
      this.getProvider(),
      args.session ? this.openStore(root) : Promise.resolve(undefined),
      this.getSettings(),
    ]);
    const store: SessionStore = stored?.store ?? createMemorySessionStore();
    const sessionId = existing ?? (await store.create({ time: Date.now(), workspace: root }));
    const can = {
      read: this.clientCapabilities.fs?.readTextFile === true,
      write: this.clientCapabilities.fs?.writeTextFile === true,
    };
    const createAgent = await this.agentFactory({
      root,
      provider,
      settings,
      stored,
      store,
      sessionId,
    });
    const session = new AcpSession({
      sessionId,
      root,
      client,
      fs: can.read || can.write ? editorFileSystem(client, sessionId, can, DISK) : undefined,
      allowAll: args.yes,
      started: existing !== undefined,
      createAgent,
    });
    this.sessions.set(sessionId, session);
    return session;
  }

  /** What builds a session's agent once the session knows its approval hook and back-end. */
  private async agentFactory(setup: {
    root: string;
    provider: ModelProvider;
    settings: Settings;
    stored: Sessions | undefined;
    store: SessionStore;
    sessionId: string;
  }): Promise<
    (hooks: {
      approve: (request: ApprovalRequest) => Promise<ApprovalDecision>;
      fs: ToolFileSystem | undefined;
    }) => Agent
  > {
    const { args } = this.options;
    const { root, provider, settings, stored, store, sessionId } = setup;
    const { createTools } = await import("@gemma-coder/tools");
    const equip = await mapEquipment({ workspace: root, env: this.options.env, settings });
    const rules = args.noRules
      ? false
      : args.rules === undefined
        ? undefined
        : await fs.readFile(path.resolve(root, args.rules), "utf8");
    // The agent's first run writes into the session reserved at session/new, so the id the
    // editor holds is the transcript's id.
    const reserved: SessionStore = {
      create: async () => sessionId,
      append: (id, record) => store.append(id, record),
      load: (id) => store.load(id),
    };
    return (hooks) => {
      // The edit check reads where the tools write: the editor's buffers when it serves them.
      const { tools, ...mapOptions } = equip(
        createTools({ root, readOnly: args.readOnly, ...(hooks.fs ? { fs: hooks.fs } : {}) }),
        hooks.fs,
      );
      return new Agent({
        provider,
        tools,
        // On the Agent, not the tools: the editor answers before the checkpoint is taken.
        approve: hooks.approve,
        rules,
        workspace: root,
        ...(settings.maxSteps === undefined ? {} : { maxSteps: settings.maxSteps }),
        ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
        ...(settings.contextWindow === undefined ? {} : { contextWindow: settings.contextWindow }),
        ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
        ...(settings.protocol === undefined ? {} : { protocol: settings.protocol }),
        session: reserved,
        ...(stored ? { checkpointer: stored.checkpointer } : {}),
        ...mapOptions,
      });
    };
  }
}

/** The session folder: an existing absolute folder, as ACP requires. */
async function checkRoot(cwd: string): Promise<string> {
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
}
