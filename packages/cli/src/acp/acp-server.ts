import { promises as fs } from "node:fs";
import path from "node:path";
import {
  type AgentContext,
  type ClientCapabilities,
  type InitializeResponse,
  type McpServer,
  PROTOCOL_VERSION,
  RequestError,
} from "@agentclientprotocol/sdk";
import {
  Agent,
  type AnyTool,
  createMemorySessionStore,
  GemmaCoderError,
  type ModelProvider,
  type SessionStore,
} from "@gemma-coder/core";
import type { Sessions } from "@gemma-coder/sessions";
import type { ApprovalDecision, ApprovalRequest, ToolFileSystem } from "@gemma-coder/tools";
import type { CliArgs } from "../args.js";
import { resolveHeadlessSettings } from "../config/headless-settings.js";
import type { Env, Settings } from "../config/resolve-settings.js";
import { constrainedModeFor } from "../constrained-mode.js";
import { mapEquipment } from "../map/equip-run.js";
import type { RunMcpTools } from "../mcp-tools.js";
import type { OutStream } from "../render/live-view.js";
import { AcpSession } from "./acp-session.js";
import { backendMismatch } from "./backend-mismatch.js";
import { editorFileSystem } from "./editor-fs.js";
import { readEditorMcpServers, sessionMcpServers } from "./editor-mcp-servers.js";

/**
 * The provider the CLI picked (the same choice as a terminal run: flags, config,
 * detection), from the settings of the folder of the connection's first session.
 */
export type ChooseProvider = (
  settings: Settings,
  root: string,
  signal: AbortSignal,
) => Promise<{ provider: ModelProvider; label: string; notes: string[] }>;

/** What the server needs from the command line and the process. */
export interface AcpServerOptions {
  /** The parsed command line (provider, model, limits, `--yes`, ...). */
  args: CliArgs;
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

/** What opening a session needs. */
interface SessionOpening {
  client: AgentContext;
  /** The session's folder. */
  root: string;
  /** The folder's settings. */
  settings: Settings;
  /** The stored session to continue, or `undefined` for a new one. */
  existing: string | undefined;
  /** The MCP servers the editor sent. */
  mcpServers: readonly McpServer[];
}

/**
 * The agent side of one ACP connection: answers `initialize`, opens, loads and closes
 * sessions, and routes prompts and cancels to them. Each session is set up from its own
 * folder (`cwd`) as a terminal run there would be: that folder's project config (under
 * the same folder-trust rule), rulebook, `verify` commands and map, plus the MCP servers
 * of the config and those the editor sent, stopped when the session or the connection
 * ends. The model backend is one per connection, chosen at the first session from that
 * session's settings, so `initialize` is answered at once.
 */
export class AcpServer {
  private readonly sessions = new Map<string, AcpSession>();
  private readonly stores = new Map<string, Promise<Sessions>>();
  private clientCapabilities: ClientCapabilities = {};
  /** The connection's backend and the settings it was chosen with. */
  private backend: { settings: Settings; provider: Promise<ModelProvider> } | undefined;

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
        // Streamable HTTP is what the MCP client speaks besides stdio; SSE is not.
        mcpCapabilities: { http: true, sse: false },
        sessionCapabilities: { close: {} },
      },
      agentInfo: { name: "gemma-coder", title: "gemma-coder", version: this.version },
      authMethods: [],
    };
  }

  /** `session/new`: a new session and transcript in `cwd`, with the editor's MCP servers. */
  async newSession(
    client: AgentContext,
    cwd: string,
    mcpServers: readonly McpServer[],
  ): Promise<{ sessionId: string }> {
    const root = await checkRoot(cwd);
    const settings = await this.folderSettings(root);
    const session = await this.openSession({
      ...{ client, root, settings, mcpServers },
      existing: undefined,
    });
    this.log(`session ${session.id} in ${root}`);
    return { sessionId: session.id };
  }

  /** `session/load`: replays a stored session's conversation, then it takes prompts. */
  async loadSession(
    client: AgentContext,
    cwd: string,
    sessionId: string,
    mcpServers: readonly McpServer[],
  ): Promise<void> {
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
    const settings = await this.folderSettings(root);
    const stored = await this.openStore(root, settings);
    const snapshot = await stored.store.snapshot(sessionId);
    const session = await this.openSession({
      ...{ client, root, settings, mcpServers },
      existing: sessionId,
    });
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

  /**
   * `session/close`: cancels the session's prompt, waits until its commands are gone and
   * stops its MCP servers; the session can no longer be prompted.
   *
   * @throws RequestError (invalid params) for a session this connection did not open.
   */
  async closeSession(sessionId: string): Promise<void> {
    const session = this.session(sessionId);
    this.sessions.delete(sessionId);
    await session.close();
  }

  /** Closes every session (prompts, commands, MCP servers) and lets go of the model. */
  async close(): Promise<void> {
    const open = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(open.map((session) => session.close()));
    const chosen = await this.backend?.provider.catch(() => undefined);
    await chosen?.dispose?.();
  }

  private log(text: string): void {
    this.options.stderr.write(`gemma-coder acp: ${text}\n`);
  }

  /** The settings of a session's folder, as a terminal run there would have them. */
  private folderSettings(root: string): Promise<Settings> {
    const { args, env } = this.options;
    return resolveHeadlessSettings(args, env, root, (text) => this.log(text));
  }

  /**
   * The connection's backend: chosen with the first session's settings; a later session
   * whose folder names another backend is told on stderr and shares the chosen one.
   */
  private getProvider(settings: Settings, root: string): Promise<ModelProvider> {
    if (this.backend) {
      const mismatch = backendMismatch(this.backend.settings, settings, root);
      if (mismatch) this.log(mismatch);
      return this.backend.provider;
    }
    const provider = this.options
      .chooseProvider(settings, root, this.options.signal)
      .then((ready) => {
        for (const note of ready.notes) this.log(note);
        return ready.provider;
      });
    const backend = { settings, provider };
    this.backend = backend;
    // A failed choice (the backend was down) is tried again by the next session.
    provider.catch(() => {
      if (this.backend === backend) this.backend = undefined;
    });
    return provider;
  }

  private openStore(root: string, settings: Settings): Promise<Sessions> {
    let opened = this.stores.get(root);
    if (!opened) {
      opened = import("@gemma-coder/sessions").then(({ openSessions }) =>
        openSessions({ workspace: root, dir: settings.sessionsDir, env: this.options.env }),
      );
      this.stores.set(root, opened);
      opened.catch(() => this.stores.delete(root));
    }
    return opened;
  }

  /**
   * Starts a session's MCP servers: its folder's configured ones and the editor's. A
   * server left out or failing to start is logged and returned as a note for the editor.
   */
  private async startMcp(
    opening: SessionOpening,
  ): Promise<{ mcp: RunMcpTools | undefined; notes: string[] }> {
    const editor = await readEditorMcpServers(opening.mcpServers);
    const notes = [...editor.problems];
    for (const problem of editor.problems) this.log(`${opening.root}: ${problem}`);
    const servers = sessionMcpServers(opening.settings.mcpServers, editor.servers);
    if (!servers) return { mcp: undefined, notes };
    const { startMcpTools } = await import("../mcp-tools.js");
    const mcp = await startMcpTools(servers, {
      workspace: opening.root,
      readOnly: this.options.args.readOnly,
      warn: (warning) => {
        this.log(`${opening.root}: ${warning.message}`);
        if (warning.kind !== "tools") notes.push(warning.message);
      },
    });
    return { mcp, notes };
  }

  /** Opens a session: a new transcript, or `existing` to continue a stored one. */
  private async openSession(opening: SessionOpening): Promise<AcpSession> {
    const { args } = this.options;
    const { client, root, settings, existing } = opening;
    const [provider, stored] = await Promise.all([
      this.getProvider(settings, root),
      args.session ? this.openStore(root, settings) : Promise.resolve(undefined),
    ]);
    const store: SessionStore = stored?.store ?? createMemorySessionStore();
    const can = {
      read: this.clientCapabilities.fs?.readTextFile === true,
      write: this.clientCapabilities.fs?.writeTextFile === true,
    };
    // Before the transcript is created: an invalid configured server fails session/new.
    const { mcp, notes } = await this.startMcp(opening);
    try {
      const sessionId = existing ?? (await store.create({ time: Date.now(), workspace: root }));
      const createAgent = await this.agentFactory({
        ...{ root, provider, settings, stored, store, sessionId },
        mcpTools: mcp?.tools ?? [],
      });
      const session = new AcpSession({
        sessionId,
        root,
        client,
        fs: can.read || can.write ? editorFileSystem(client, sessionId, can, DISK) : undefined,
        allowAll: args.yes,
        started: existing !== undefined,
        createAgent,
        dispose: async () => mcp?.close(),
      });
      mcp?.checkPromptBudget(await session.systemPrompt(), settings.contextWindow ?? 8192);
      this.sessions.set(sessionId, session);
      // After the answer to session/new, so the editor knows the session the notes are for.
      const notices = Boolean(this.clientCapabilities.session?.notices);
      if (notes.length > 0) setImmediate(() => session.tell(notes, notices));
      return session;
    } catch (error) {
      await mcp?.close();
      throw error;
    }
  }

  /** What builds a session's agent once the session knows its approval hook and back-end. */
  private async agentFactory(setup: {
    root: string;
    provider: ModelProvider;
    settings: Settings;
    stored: Sessions | undefined;
    store: SessionStore;
    sessionId: string;
    /** The tools of the session's MCP servers. */
    mcpTools: AnyTool[];
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
        tools: [...tools, ...setup.mcpTools],
        constrainedDecoding: constrainedModeFor(
          settings.constrained,
          provider.id,
          settings.protocol,
        ),
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
