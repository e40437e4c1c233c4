// End-to-end tests of `gemma-coder acp`: the real bin, spawned as an editor starts it,
// driven over stdio by the official SDK's client side, against a loopback scripted model.

import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import {
  client as acpClient,
  type ClientContext,
  type McpServer,
  ndJsonStream,
  type RequestPermissionRequest,
  type RequestPermissionResponse,
  type SessionNotification,
  type SessionUpdate,
} from "@agentclientprotocol/sdk";
import { Server as McpSdkServer } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import {
  chatMessages,
  type LaunchOptions,
  missingBuilds,
  ollama,
  plantVerifyCommands,
  processAlive,
  processesMatching,
  type StartedCli,
  until,
  useCliHarness,
} from "./__fixtures__/cli-harness.js";
import { call } from "./__fixtures__/model-server.mjs";

const cli = useCliHarness();
const { start, server, read } = cli;

const fixScript = () => [
  `Let me read it.\n${call("read_file", { path: "calc.py" })}`,
  call("edit_file", { path: "calc.py", old: "a - b", new: "a + b" }),
  call("done", { summary: "add() now adds." }),
];

interface EditorOptions {
  /** Answers each permission request (default: allow once). */
  permission?: (request: RequestPermissionRequest) => RequestPermissionResponse["outcome"];
  /** Unsaved buffers by absolute path; when given, the client advertises fs. */
  buffers?: Map<string, string>;
  /** Advertise `session.notices`: the editor presents notices. */
  notices?: boolean;
}

/** A scripted editor: the SDK's client side connected to the bin's stdio. */
function connectEditor(started: StartedCli, options: EditorOptions = {}) {
  const updates: SessionUpdate[] = [];
  const permissions: RequestPermissionRequest[] = [];
  const writes: { path: string; content: string }[] = [];
  let app = acpClient({ name: "test-editor" })
    .onNotification("session/update", ({ params }: { params: SessionNotification }) => {
      updates.push(params.update);
    })
    .onRequest("session/request_permission", ({ params }) => {
      permissions.push(params);
      return {
        outcome: options.permission?.(params) ?? { outcome: "selected", optionId: "allow_once" },
      };
    });
  const buffers = options.buffers;
  if (buffers) {
    app = app
      .onRequest("fs/read_text_file", ({ params }) => {
        const content = buffers.get(params.path);
        if (content === undefined) throw new Error(`no such file ${params.path}`);
        return { content };
      })
      .onRequest("fs/write_text_file", ({ params }) => {
        writes.push({ path: params.path, content: params.content });
        buffers.set(params.path, params.content);
        return {};
      });
  }
  const child = started.child;
  const connection = app.connect(
    ndJsonStream(
      Writable.toWeb(child.stdin!) as WritableStream<Uint8Array>,
      Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>,
    ),
  );
  const agent: ClientContext = connection.agent;
  const initialize = () =>
    agent.request("initialize", {
      protocolVersion: 1,
      clientCapabilities: {
        ...(buffers ? { fs: { readTextFile: true, writeTextFile: true } } : {}),
        ...(options.notices ? { session: { notices: {} } } : {}),
      },
    });
  /** `session/new` in a folder (the repository by default), with the editor's MCP servers. */
  const newSession = async (cwd = cli.repo, mcpServers: McpServer[] = []) =>
    (await agent.request("session/new", { cwd, mcpServers })).sessionId;
  /** One text prompt to a session. */
  const prompt = (sessionId: string, text: string) =>
    agent.request("session/prompt", { sessionId, prompt: [{ type: "text", text }] });
  /** Closes stdin, as an editor that goes away does, and waits for the agent to end. */
  const end = () => {
    started.child.stdin?.end();
    return started.done;
  };
  return { agent, connection, updates, permissions, writes, initialize, newSession, prompt, end };
}

/** What {@link openEditor} launches with. */
interface OpenOptions extends EditorOptions {
  /** The session's folder (default: the repository). */
  cwd?: string;
  /** The editor's MCP servers for the session. */
  mcpServers?: McpServer[];
  /** The launch (environment, folder the editor starts the agent in). */
  launch?: LaunchOptions;
}

/** Starts `gemma-coder acp` with `args`, connects a scripted editor, initializes and opens a session. */
async function openEditor(args: string[], options: OpenOptions = {}) {
  const bin = start(["acp", ...args], options.launch);
  const editor = connectEditor(bin, options);
  const init = await editor.initialize();
  const sessionId = await editor.newSession(options.cwd, options.mcpServers);
  return { bin, editor, init, sessionId };
}

const texts = (updates: SessionUpdate[], kind: string) =>
  updates.flatMap((update) =>
    update.sessionUpdate === kind &&
    "content" in update &&
    update.content &&
    "text" in update.content
      ? [update.content.text as string]
      : [],
  );

describe.skipIf(missingBuilds.length > 0)("gemma-coder acp (the real bin)", () => {
  it("fixes a bug with permission granted: tool calls, a diff, the file fixed, end_turn", async () => {
    const [first, ...rest] = fixScript();
    const model = await server({
      replies: [`<think>add() subtracts, so it is wrong</think>${first}`, ...rest],
    });
    const { editor, sessionId, init } = await openEditor(ollama(model.url));
    expect(init.agentCapabilities?.loadSession).toBe(true);
    const answer = await editor.prompt(sessionId, "fix add");
    expect(answer.stopReason).toBe("end_turn");
    expect(read("calc.py")).toBe("def add(a, b):\n    return a + b\n");
    const calls = editor.updates.filter((u) => u.sessionUpdate === "tool_call");
    expect(calls).toMatchObject([
      {
        kind: "read",
        title: "Read calc.py",
        locations: [{ path: path.join(cli.repo, "calc.py") }],
      },
      { kind: "edit", title: "Edit calc.py", rawInput: { old: "a - b", new: "a + b" } },
    ]);
    const diff = editor.updates
      .flatMap((u) => (u.sessionUpdate === "tool_call_update" ? (u.content ?? []) : []))
      .find((c) => c.type === "diff");
    expect(diff).toMatchObject({
      path: path.join(cli.repo, "calc.py"),
      oldText: "def add(a, b):\n    return a - b\n",
      newText: "def add(a, b):\n    return a + b\n",
    });
    expect(editor.permissions).toHaveLength(1);
    // The question shows exactly what will happen: the diff, before anything is written.
    expect(editor.permissions[0]?.toolCall).toMatchObject({
      kind: "edit",
      title: "Edit calc.py",
      content: [
        {
          type: "diff",
          path: path.join(cli.repo, "calc.py"),
          oldText: "def add(a, b):\n    return a - b\n",
          newText: "def add(a, b):\n    return a + b\n",
        },
      ],
    });
    expect(editor.permissions[0]?.options.map((o) => o.kind)).toEqual([
      "allow_once",
      "allow_always",
      "reject_once",
      "reject_always",
    ]);
    const prose = texts(editor.updates, "agent_message_chunk").join("");
    expect(prose).toContain("Let me read it.");
    expect(prose).not.toMatch(/<tool|<\/tool|<think|<\/think/);
    expect(texts(editor.updates, "agent_thought_chunk").join("")).toBe(
      "add() subtracts, so it is wrong",
    );
    expect((await editor.end()).code).toBe(0);
  });

  it("a reply whose stream breaks is withdrawn: its prose never reaches the editor as the answer", async () => {
    const model = await server({
      replies: [
        // The connection drops after two lines of a reply that would have said the wrong thing.
        { text: "WITHDRAWN draft: add() is fine as it is.", chunkSize: 10, breakAfter: 2 },
        `Let me read it.\n${call("read_file", { path: "calc.py" })}`,
        call("done", { summary: "add() subtracts." }),
      ],
    });
    const { editor, sessionId } = await openEditor(ollama(model.url));
    const answer = await editor.prompt(sessionId, "check add");
    expect(answer.stopReason).toBe("end_turn");
    expect(model.chats).toBe(3);
    const prose = texts(editor.updates, "agent_message_chunk").join("");
    expect(prose).toContain("Let me read it.");
    expect(prose).not.toContain("WITHDRAWN");
    // The editor is told, in the thoughts, that a reply was dropped and asked again.
    expect(texts(editor.updates, "agent_thought_chunk").join("")).toMatch(
      /The reply broke off: .*withdrawn.*retry 1 of 2/,
    );
    expect((await editor.end()).code).toBe(0);
  });

  it("permission rejected: the file is untouched, the call fails and the turn still ends", async () => {
    const model = await server({
      replies: [
        call("edit_file", { path: "calc.py", old: "a - b", new: "a + b" }),
        call("done", { summary: "The user declined." }),
      ],
    });
    const { editor, sessionId } = await openEditor(ollama(model.url), {
      permission: () => ({ outcome: "selected", optionId: "reject_once" }),
    });
    const answer = await editor.prompt(sessionId, "fix add");
    expect(answer.stopReason).toBe("end_turn");
    expect(read("calc.py")).toBe("def add(a, b):\n    return a - b\n");
    expect(editor.updates).toContainEqual(
      expect.objectContaining({ sessionUpdate: "tool_call_update", status: "failed" }),
    );
    await editor.end();
  });

  it("remembers allow always for the session, maps the step limit and reports a provider failure as an error", async () => {
    const model = await server({
      replies: [
        call("write_file", { path: "a.txt", content: "a\n" }),
        call("write_file", { path: "b.txt", content: "b\n" }),
        { status: 400, error: "the model refused the request" },
      ],
    });
    const { editor, sessionId } = await openEditor([...ollama(model.url), "--max-steps", "2"], {
      permission: () => ({ outcome: "selected", optionId: "allow_always" }),
    });
    const answer = await editor.prompt(sessionId, "write two files");
    expect(answer.stopReason).toBe("max_turn_requests");
    expect(read("a.txt")).toBe("a\n");
    expect(read("b.txt")).toBe("b\n");
    expect(editor.permissions).toHaveLength(1);
    const failed = editor.prompt(sessionId, "go on");
    await expect(failed).rejects.toMatchObject({
      message: expect.stringContaining("the model refused the request"),
    });
    // The agent is still up and answers the next request.
    expect((await editor.initialize()).protocolVersion).toBe(1);
    expect((await editor.end()).code).toBe(0);
  });

  it("cancel while the model generates answers cancelled and closes the model request", async () => {
    const model = await server({ replies: [{ text: "Thinking about it", hang: true }] });
    const { editor, sessionId } = await openEditor(ollama(model.url));
    const answer = editor.prompt(sessionId, "think");
    await until(() => model.openChats > 0, "the model request");
    await editor.agent.notify("session/cancel", { sessionId });
    expect((await answer).stopReason).toBe("cancelled");
    await until(
      () => model.abortedChats === 1 && model.openChats === 0,
      "the request to close",
      3000,
    );
    expect((await editor.end()).code).toBe(0);
  });

  it("cancel during a hanging shell command kills its process group; stdin closing ends the agent", async () => {
    const marker = `sleep 300.${String(process.pid % 1000).padStart(3, "0")}${Date.now() % 1000}`;
    const model = await server({
      replies: [
        call("run_shell", { command: `${marker} & ${marker}; wait` }),
        call("run_shell", { command: `${marker} & ${marker}; wait` }),
      ],
    });
    const { bin, editor, sessionId } = await openEditor([...ollama(model.url), "--yes"]);
    const answer = editor.prompt(sessionId, "work");
    await until(() => processesMatching(marker).length >= 2, "the command to start");
    expect(editor.updates).toContainEqual(
      expect.objectContaining({ sessionUpdate: "tool_call", kind: "execute" }),
    );
    await editor.agent.notify("session/cancel", { sessionId });
    expect((await answer).stopReason).toBe("cancelled");
    await until(() => processesMatching(marker).length === 0, "the command to be killed", 3000);

    // The next prompt starts the command again; this time the editor just goes away.
    void editor.agent
      .request("session/prompt", { sessionId, prompt: [{ type: "text", text: "again" }] })
      .catch(() => undefined);
    await until(() => processesMatching(marker).length >= 2, "the command to start again");
    bin.child.stdin?.end();
    const result = await bin.done;
    expect(result.code).toBe(0);
    expect(bin.child.exitCode).toBe(0);
    // The editor went away; nobody pressed Ctrl-C, so the log does not tell them to.
    expect(result.stderr).not.toContain("Ctrl-C");
    await until(() => processesMatching(marker).length === 0, "no command left running", 3000);
  });

  it("SIGTERM from the editor during a command ends the agent and the command", async () => {
    const marker = `sleep 301.${String(process.pid % 1000).padStart(3, "0")}${Date.now() % 1000}`;
    const model = await server({
      replies: [call("run_shell", { command: `${marker} & ${marker}; wait` })],
    });
    const { bin, editor, sessionId } = await openEditor([...ollama(model.url), "--yes"]);
    void editor.agent
      .request("session/prompt", { sessionId, prompt: [{ type: "text", text: "work" }] })
      .catch(() => undefined);
    await until(() => processesMatching(marker).length >= 2, "the command to start");
    bin.child.kill("SIGTERM");
    await bin.done;
    expect(bin.child.exitCode).not.toBeNull();
    await until(() => processesMatching(marker).length === 0, "no command left running", 3000);
  });

  it("--no-session: nothing to load, but a session still takes follow-up prompts", async () => {
    const model = await server({
      replies: [...fixScript(), call("done", { summary: "nothing more to do" })],
    });
    const { editor, sessionId, init } = await openEditor([
      ...ollama(model.url),
      "--yes",
      "--no-session",
    ]);
    expect(init.agentCapabilities?.loadSession).toBe(false);
    const first = await editor.prompt(sessionId, "fix add");
    expect(first.stopReason).toBe("end_turn");
    const second = await editor.prompt(sessionId, "anything else?");
    expect(second.stopReason).toBe("end_turn");
    expect(JSON.stringify(model.requests.at(-1)?.body)).toContain("fix add");
    await expect(
      editor.agent.request("session/load", { sessionId, cwd: cli.repo, mcpServers: [] }),
    ).rejects.toMatchObject({ message: expect.stringContaining("--no-session") });
    expect(existsSync(path.join(cli.root, ".local", "share", "gemma-coder"))).toBe(false);
    expect((await editor.end()).code).toBe(0);
  });

  it("editor fs: the agent reads the unsaved buffer and writes to the editor, not the disk", async () => {
    const file = path.join(cli.repo, "calc.py");
    const buffers = new Map([[file, "def add(a, b):\n    return a * b  # unsaved\n"]]);
    const model = await server({
      replies: [
        call("read_file", { path: "calc.py" }),
        call("edit_file", { path: "calc.py", old: "a * b", new: "a + b" }),
        call("done", { summary: "fixed" }),
      ],
    });
    const { editor, sessionId } = await openEditor(ollama(model.url), { buffers });
    const answer = await editor.prompt(sessionId, "fix add");
    expect(answer.stopReason).toBe("end_turn");
    // What the model was shown after read_file is the unsaved buffer.
    expect(JSON.stringify(model.requests.filter((r) => r.path === "/api/chat")[1]?.body)).toContain(
      "return a * b  # unsaved",
    );
    expect(editor.writes).toEqual([
      { path: file, content: "def add(a, b):\n    return a + b  # unsaved\n" },
    ]);
    expect(read("calc.py")).toBe("def add(a, b):\n    return a - b\n");
    await editor.end();
  });

  it("the map leads the first request, and the check after an edit of the editor's buffer reaches the tool result", async () => {
    // An untrusted project's verify command must not run; the user's own config's does.
    const { marker, userMarker } = plantVerifyCommands(cli);
    const file = path.join(cli.repo, "calc.py");
    const buffers = new Map([[file, "def add(a, b):\n    return a - b\n"]]);
    const model = await server({
      replies: [
        call("edit_file", { path: "calc.py", old: "a - b", new: "(a + b" }),
        call("done", { summary: "fixed" }),
      ],
    });
    const { editor, sessionId } = await openEditor([...ollama(model.url), "--yes"], {
      buffers,
    });
    await editor.prompt(sessionId, "fix add");
    const [first, second] = chatMessages(model);
    expect(first?.[1]?.content).toMatch(
      /^<repo_map>\n[\s\S]*calc\.py:\n1: def add\(a, b\)[\s\S]*<\/repo_map>\n\nfix add$/,
    );
    expect(second?.at(-1)?.content).toContain("Your edit left a syntax error in calc.py");
    const shown = editor.updates.flatMap((u) =>
      u.sessionUpdate === "tool_call_update" ? (u.content ?? []) : [],
    );
    expect(JSON.stringify(shown)).toContain("Your edit left a syntax error in calc.py");
    expect(read("calc.py")).toBe("def add(a, b):\n    return a - b\n");
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(userMarker)).toBe(true);
    expect((await editor.end()).code).toBe(0);
  });

  it("session/load replays an earlier session and continues it", async () => {
    const model = await server({
      replies: [...fixScript(), `All good.\n${call("done", { summary: "checked" })}`],
    });
    const { editor, sessionId } = await openEditor([...ollama(model.url), "--yes"]);
    await editor.prompt(sessionId, "fix add please");
    expect((await editor.end()).code).toBe(0);
    // The transcript is kept where a terminal run keeps it: the user's data folder.
    expect(existsSync(path.join(cli.root, ".local", "share", "gemma-coder"))).toBe(true);

    const later = connectEditor(start(["acp", ...ollama(model.url), "--yes"]));
    await later.initialize();
    await later.agent.request("session/load", { sessionId, cwd: cli.repo, mcpServers: [] });
    expect(texts(later.updates, "user_message_chunk").join("\n")).toContain("fix add please");
    expect(texts(later.updates, "agent_message_chunk").join("")).toContain("Let me read it.");
    const answer = await later.prompt(sessionId, "check it once more");
    expect(answer.stopReason).toBe("end_turn");
    const lastRequest = JSON.stringify(
      model.requests.filter((r) => r.path === "/api/chat").at(-1)?.body,
    );
    expect(lastRequest).toContain("fix add please");
    expect(lastRequest).toContain("check it once more");
    await later.end();
  });

  it("answers bad input with JSON-RPC errors, stays up, writes only protocol, and ends on stdin close", async () => {
    const bin = start(["acp", "--provider", "ollama", "--base-url", "http://127.0.0.1:9"]);
    const lines: Record<string, unknown>[] = [];
    const send = (text: string) => bin.child.stdin?.write(`${text}\n`);
    const reply = async (id: number | null) => {
      await until(
        () =>
          bin
            .stdout()
            .split("\n")
            .some((line) => line.trim() !== "" && JSON.parse(line).id === id),
        `the answer to ${id}`,
      );
      return bin
        .stdout()
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line))
        .find((m) => m.id === id);
    };
    send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "session/prompt",
        params: { sessionId: "x", prompt: [] },
      }),
    );
    expect((await reply(1)).error.code).toBe(-32600);
    send("{this is not json");
    expect((await reply(null)).error.code).toBe(-32700);
    send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 2,
        method: "initialize",
        params: { protocolVersion: 1, clientCapabilities: {} },
      }),
    );
    expect((await reply(2)).result.protocolVersion).toBe(1);
    send(JSON.stringify({ jsonrpc: "2.0", id: 3, method: "no/such_method", params: {} }));
    expect((await reply(3)).error.code).toBe(-32601);
    send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 4,
        method: "session/prompt",
        params: { sessionId: "nope", prompt: [{ type: "text", text: "hi" }] },
      }),
    );
    const unknown = await reply(4);
    expect(unknown.error.code).toBe(-32602);
    expect(unknown.error.message).toContain("Unknown session");
    send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 5,
        method: "session/new",
        params: { cwd: "relative/folder", mcpServers: [] },
      }),
    );
    expect((await reply(5)).error.code).toBe(-32602);
    // A provider that cannot be reached is a clear error, not a crash.
    send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 6,
        method: "session/new",
        params: { cwd: cli.repo, mcpServers: [] },
      }),
    );
    const unreachable = await reply(6);
    expect(unreachable.error.message).toMatch(/127\.0\.0\.1:9|reach|connect/i);
    bin.child.stdin?.end();
    const result = await bin.done;
    expect(result.code).toBe(0);
    for (const line of result.stdout.split("\n").filter(Boolean)) {
      lines.push(JSON.parse(line));
    }
    expect(lines.every((message) => message.jsonrpc === "2.0")).toBe(true);
  });
});

/** A project folder beside the repository: `calc.py`, and optionally a config and a rulebook. */
function project(name: string, config?: Record<string, unknown>, rules?: string): string {
  const folder = path.join(cli.root, name);
  mkdirSync(path.join(folder, ".gemma-coder"), { recursive: true });
  writeFileSync(path.join(folder, "calc.py"), "def add(a, b):\n    return a - b\n");
  if (config) writeProjectConfig(folder, config);
  if (rules !== undefined) writeFileSync(path.join(folder, "AGENTS.md"), rules);
  return realpathSync(folder);
}

function writeProjectConfig(folder: string, config: Record<string, unknown>): void {
  mkdirSync(path.join(folder, ".gemma-coder"), { recursive: true });
  writeFileSync(path.join(folder, ".gemma-coder", "config.json"), JSON.stringify(config));
}

/** The user's own config file (trusted, like the editor's settings). */
function writeUserConfig(config: Record<string, unknown>): void {
  mkdirSync(path.join(cli.root, "config", "gemma-coder"), { recursive: true });
  writeFileSync(
    path.join(cli.root, "config", "gemma-coder", "config.json"),
    JSON.stringify(config),
  );
}

/** The chat requests a scripted model got: their messages and options. */
function chatBodies(model: { requests: Array<{ path: string; body: unknown }> }) {
  return model.requests
    .filter((request) => request.path === "/api/chat")
    .map(
      (request) =>
        request.body as {
          messages: Array<{ role: string; content: string }>;
          options?: { temperature?: number };
        },
    );
}

/** The purpose-written MCP server of the mcp package's fault tests (see its header for modes). */
const faultServer = path.resolve(__dirname, "../../mcp/src/__fixtures__/fault-server.mjs");

/** An MCP server as an editor sends it in `session/new`, started over stdio. */
function editorServer(name: string, mode: string, stateFile?: string): McpServer {
  const args = [faultServer, mode, ...(stateFile ? [stateFile] : [])];
  return { name, command: process.execPath, args, env: [] };
}

/** The pids a fault server wrote to its state file, by kind (`start`, `child`). */
function statePids(file: string, kind: string): number[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.startsWith(`${kind} `))
    .map((line) => Number(line.slice(kind.length + 1)));
}

/** A loopback Streamable HTTP MCP server with one read-only tool, `shout`; records a header. */
async function httpMcpServer(): Promise<{ url: string; teams: string[]; http: HttpServer }> {
  const teams: string[] = [];
  const http = createServer(async (req, res) => {
    teams.push(String(req.headers["x-team"]));
    const server = new McpSdkServer(
      { name: "shouter", version: "1" },
      { capabilities: { tools: {} } },
    );
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: [
        {
          name: "shout",
          description: "Upper-case a word.",
          inputSchema: { type: "object", properties: { word: { type: "string" } } },
          annotations: { readOnlyHint: true },
        },
      ],
    }));
    server.setRequestHandler(CallToolRequestSchema, async (request) => ({
      content: [{ type: "text", text: String(request.params.arguments?.word).toUpperCase() }],
    }));
    const transport = new StreamableHTTPServerTransport({});
    res.on("close", () => void transport.close());
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`, teams, http };
}

describe.skipIf(missingBuilds.length > 0)(
  "gemma-coder acp: per-session folders and editor MCP servers",
  () => {
    it("two sessions in two folders: each gets its own folder's rules, settings and verify commands, not the launch folder's", async () => {
      const markerA = path.join(cli.root, "VERIFY-A");
      const markerB = path.join(cli.root, "VERIFY-B");
      const alpha = project(
        "alpha",
        { temperature: 0.1, verify: { python: `touch '${markerA}'` } },
        "ALPHA-RULE: be brief.\n",
      );
      const beta = project(
        "beta",
        { temperature: 0.7, verify: { python: `touch '${markerB}'` } },
        "BETA-RULE: be thorough.\n",
      );
      // The folder the editor launched the agent in has settings of its own, for no session.
      writeProjectConfig(cli.repo, { temperature: 0.9 });
      // The user trusted both project folders before, on a terminal.
      writeUserConfig({ trustedFolders: { [alpha]: true, [beta]: true } });
      const edit = call("edit_file", { path: "calc.py", old: "a - b", new: "a + b" });
      const model = await server({
        replies: [
          edit,
          call("done", { summary: "alpha" }),
          edit,
          call("done", { summary: "beta" }),
        ],
      });
      const { editor, sessionId } = await openEditor([...ollama(model.url), "--yes"], {
        cwd: alpha,
      });
      expect((await editor.prompt(sessionId, "fix add in alpha")).stopReason).toBe("end_turn");
      expect(existsSync(markerA)).toBe(true);
      expect(existsSync(markerB)).toBe(false);

      const second = await editor.newSession(beta);
      expect((await editor.prompt(second, "fix add in beta")).stopReason).toBe("end_turn");
      expect(existsSync(markerB)).toBe(true);
      const bodies = chatBodies(model);
      expect(bodies.map((body) => body.options?.temperature)).toEqual([0.1, 0.1, 0.7, 0.7]);
      const system = bodies.map((body) => body.messages[0]?.content ?? "");
      expect(system[0]).toContain("ALPHA-RULE");
      expect(system[0]).not.toContain("BETA-RULE");
      expect(system[2]).toContain("BETA-RULE");
      expect(system[2]).not.toContain("ALPHA-RULE");
      expect(readFileSync(path.join(beta, "calc.py"), "utf8")).toContain("a + b");
      expect((await editor.end()).code).toBe(0);
    });

    it("the attack: an untrusted session folder's config cannot move the backend; it is ignored with the terminal's warning", async () => {
      const good = await server({ replies: [call("done", { summary: "ok" })] });
      const evil = await server({ replies: [call("done", { summary: "pwned" })] });
      writeUserConfig({ provider: "ollama", baseUrl: good.url });
      const cloned = project("cloned", { provider: "ollama", baseUrl: evil.url });
      const { editor, sessionId } = await openEditor([], { cwd: cloned });
      expect((await editor.prompt(sessionId, "look around")).stopReason).toBe("end_turn");
      expect(good.chats).toBe(1);
      expect(evil.requests).toHaveLength(0);
      const { stderr, code } = await editor.end();
      expect(code).toBe(0);
      expect(stderr).toContain(
        `the project config ${path.join(cloned, ".gemma-coder", "config.json")} is not trusted`,
      );
      expect(stderr).toContain("its provider, baseUrl were ignored");
    });

    it("one backend per connection: a later session whose trusted folder names another is told so on stderr", async () => {
      const first = await server({
        replies: [call("done", { summary: "one" }), call("done", { summary: "two" })],
      });
      const other = await server({ replies: [call("done", { summary: "other" })] });
      const one = project("one");
      const two = project("two", { provider: "ollama", baseUrl: other.url });
      writeUserConfig({ provider: "ollama", baseUrl: first.url, trustedFolders: { [two]: true } });
      const { editor, sessionId } = await openEditor([], { cwd: one });
      await editor.prompt(sessionId, "first");
      const second = await editor.newSession(two);
      expect((await editor.prompt(second, "second")).stopReason).toBe("end_turn");
      expect(first.chats).toBe(2);
      expect(other.requests).toHaveLength(0);
      const { stderr } = await editor.end();
      expect(stderr).toContain("one model backend per connection");
      expect(stderr).toContain(other.url);
    });

    it("an editor-sent stdio MCP server: its tool reaches the model, and session/close stops the server", async () => {
      const state = path.join(cli.root, "helper-state");
      const model = await server({
        replies: [
          call("helper__echo", { message: "from the editor" }),
          call("done", { summary: "ok" }),
        ],
      });
      const { editor, sessionId, init } = await openEditor(ollama(model.url), {
        mcpServers: [editorServer("helper", "ok", state)],
      });
      expect(init.agentCapabilities?.mcpCapabilities).toEqual({ http: true, sse: false });
      expect((await editor.prompt(sessionId, "echo it")).stopReason).toBe("end_turn");
      const [first, second] = chatMessages(model);
      expect(first?.[0]?.content).toContain("helper__echo");
      expect(second?.at(-1)?.content).toContain("echo: from the editor");
      // The server marks echo read-only, so nobody is asked, as for a config server.
      expect(editor.permissions).toHaveLength(0);
      const [pid] = statePids(state, "start");
      expect(pid && processAlive(pid)).toBe(true);
      await editor.agent.request("session/close", { sessionId });
      expect(processAlive(pid as number)).toBe(false);
      await expect(editor.prompt(sessionId, "again")).rejects.toMatchObject({
        message: expect.stringContaining("Unknown session"),
      });
      expect((await editor.end()).code).toBe(0);
    });

    it("the editor's MCP servers stop when the connection closes, even one that ignores SIGTERM", async () => {
      const state = path.join(cli.root, "stubborn-state");
      const model = await server({ replies: [] });
      const { editor } = await openEditor(ollama(model.url), {
        mcpServers: [editorServer("stubborn", "stubborn", state)],
      });
      const pids = [...statePids(state, "start"), ...statePids(state, "child")];
      expect(pids).toHaveLength(2);
      for (const pid of pids) expect(processAlive(pid)).toBe(true);
      expect((await editor.end()).code).toBe(0);
      for (const pid of pids) expect(processAlive(pid)).toBe(false);
    });

    it("a dozen sessions with an MCP server each: no listener-leak warning, and every server stops at the end", async () => {
      const state = path.join(cli.root, "many-state");
      const model = await server({ replies: [] });
      const helper = editorServer("helper", "ok", state);
      const { editor } = await openEditor(ollama(model.url), { mcpServers: [helper] });
      for (let i = 1; i < 12; i++) await editor.newSession(cli.repo, [helper]);
      const pids = statePids(state, "start");
      expect(pids).toHaveLength(12);
      const { stderr, code } = await editor.end();
      expect(code).toBe(0);
      expect(stderr).not.toContain("MaxListenersExceededWarning");
      for (const pid of pids) expect(processAlive(pid)).toBe(false);
    });

    it("a bad editor MCP server does not stop the session: the editor and stderr say which and why", async () => {
      const model = await server({
        replies: [call("done", { summary: "ok" }), call("done", { summary: "yes" })],
      });
      const { editor, sessionId } = await openEditor(ollama(model.url), {
        mcpServers: [
          { name: "blank", command: "", args: [], env: [] },
          editorServer("quits", "exit"),
        ],
      });
      expect((await editor.prompt(sessionId, "go")).stopReason).toBe("end_turn");
      const told = texts(editor.updates, "agent_message_chunk").join("\n");
      expect(told).toMatch(/MCP server "blank"/);
      expect(told).toMatch(/MCP server "quits".*could not be started/);
      // An entry without a command is not ACP: the protocol library answers invalid params.
      const commandless = { name: "nocommand", args: [], env: [] } as unknown as McpServer;
      await expect(editor.newSession(cli.repo, [commandless])).rejects.toMatchObject({
        code: -32602,
      });
      expect((await editor.prompt(sessionId, "still there?")).stopReason).toBe("end_turn");
      const { stderr, code } = await editor.end();
      expect(code).toBe(0);
      expect(stderr).toMatch(/MCP server "blank"/);
      expect(stderr).toMatch(/MCP server "quits".*could not be started/);
    });

    it("an editor that presents notices gets a warning notice for a server that could not start", async () => {
      const model = await server({ replies: [] });
      const { editor } = await openEditor(ollama(model.url), {
        notices: true,
        mcpServers: [editorServer("quits", "exit")],
      });
      await until(
        () => editor.updates.some((update) => update.sessionUpdate === "notice"),
        "the notice",
      );
      expect(editor.updates).toContainEqual(
        expect.objectContaining({
          sessionUpdate: "notice",
          severity: "warning",
          title: expect.stringMatching(/MCP server "quits".*could not be started/),
        }),
      );
      expect(texts(editor.updates, "agent_message_chunk")).toEqual([]);
      expect((await editor.end()).code).toBe(0);
    });

    it("an editor-sent http MCP server is reached with its headers", async () => {
      const remote = await httpMcpServer();
      try {
        const model = await server({
          replies: [call("remote__shout", { word: "hey" }), call("done", { summary: "ok" })],
        });
        const { editor, sessionId } = await openEditor(ollama(model.url), {
          mcpServers: [
            {
              type: "http",
              name: "remote",
              url: remote.url,
              headers: [{ name: "X-Team", value: "blue" }],
            },
          ],
        });
        await editor.prompt(sessionId, "shout");
        expect(chatMessages(model)[1]?.at(-1)?.content).toContain("HEY");
        expect(remote.teams).toContain("blue");
        expect((await editor.end()).code).toBe(0);
      } finally {
        remote.http.closeAllConnections();
        await new Promise((resolve) => remote.http.close(resolve));
      }
    });
  },
);
