import { promises as fs } from "node:fs";
import path from "node:path";
import type {
  AgentContext,
  ContentBlock,
  PermissionOption,
  PromptResponse,
  SessionUpdate,
  ToolCallContent,
} from "@agentclientprotocol/sdk";
import {
  type Agent,
  type AgentEventMap,
  type ChatMessage,
  GemmaCoderError,
  ProseFilter,
  type RunResult,
} from "@gemma-coder/core";
import type { ApprovalDecision, ApprovalRequest, ToolFileSystem } from "@gemma-coder/tools";
import { permissionPreview } from "./permission-preview.js";
import { toStopReason } from "./stop-reason.js";
import { type ReplyPiece, ThinkingSplitter } from "./thinking-splitter.js";
import { describeToolCall } from "./tool-call-info.js";

/** The four answers offered for every change or command, as ACP asks them. */
const PERMISSION_OPTIONS: PermissionOption[] = [
  { optionId: "allow_once", name: "Allow", kind: "allow_once" },
  { optionId: "allow_always", name: "Always allow", kind: "allow_always" },
  { optionId: "reject_once", name: "Reject", kind: "reject_once" },
  { optionId: "reject_always", name: "Always reject", kind: "reject_always" },
];

/** Tools whose change is reported as a diff. */
const FILE_TOOLS = new Set(["write_file", "edit_file"]);

/** What a session needs from the connection and the configuration. */
export interface AcpSessionSetup {
  /** The session id (the transcript's id). */
  sessionId: string;
  /** The workspace root the tools are confined to. */
  root: string;
  /** The connection to the editor. */
  client: AgentContext;
  /** Builds the agent, given the tools' approval hook and file-system back-end. */
  createAgent: (hooks: {
    approve: (request: ApprovalRequest) => Promise<ApprovalDecision>;
    fs: ToolFileSystem | undefined;
  }) => Agent;
  /** The editor's file system, when the client offers it. */
  fs: ToolFileSystem | undefined;
  /** `--yes`: changes and commands run without asking. */
  allowAll: boolean;
  /** Whether the transcript already holds a run, so a prompt continues it. */
  started: boolean;
  /** Lets go of what the session holds besides its agent (its MCP servers). */
  dispose?: () => Promise<unknown>;
}

/** A tool call in flight: its id and what the diff needs. */
interface OpenCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
  oldText?: string | null;
}

/**
 * One ACP session: an agent confined to the session's folder, its transcript, and the
 * translation of the agent's events into `session/update` notifications. Prompts run one
 * at a time; `cancel` aborts the running one (the model request and any shell command).
 */
export class AcpSession {
  private readonly agent: Agent;
  private controller: AbortController | undefined;
  private running: Promise<unknown> | undefined;
  private started: boolean;
  private readonly remembered = new Map<string, boolean>();
  private callCount = 0;
  private openCall: OpenCall | undefined;
  private prose = new ProseFilter();
  private thinking = new ThinkingSplitter();
  private lastFinishReason: string | undefined;
  private proseSent = false;
  /**
   * The current turn's prose, held back until the turn ends: until then a broken stream
   * may withdraw it, and ACP cannot take back a message chunk the editor already shows.
   */
  private heldProse = "";
  /** Notifications go out in order; a prompt answers only after all of its updates. */
  private outbox: Promise<void> = Promise.resolve();

  constructor(private readonly setup: AcpSessionSetup) {
    this.started = setup.started;
    this.agent = setup.createAgent({ approve: (request) => this.approve(request), fs: setup.fs });
    this.listen();
  }

  /** The session id. */
  get id(): string {
    return this.setup.sessionId;
  }

  private send(update: SessionUpdate): void {
    const { client, sessionId } = this.setup;
    this.outbox = this.outbox
      .then(() => client.notify("session/update", { sessionId, update }))
      .catch(() => undefined);
  }

  private sendProse(text: string): void {
    if (text === "") return;
    this.proseSent = true;
    this.send({ sessionUpdate: "agent_message_chunk", content: { type: "text", text } });
  }

  /** Thinking goes out as thought chunks at once; prose is held until the turn ends. */
  private sendPieces(pieces: readonly ReplyPiece[]): void {
    for (const piece of pieces) {
      if (piece.kind === "prose") this.heldProse += this.prose.push(piece.text);
      else {
        this.send({
          sessionUpdate: "agent_thought_chunk",
          content: { type: "text", text: piece.text },
        });
      }
    }
  }

  /** Forgets what an earlier turn (or a withdrawn attempt) left half-read. */
  private startTurn(): void {
    this.prose = new ProseFilter();
    this.thinking = new ThinkingSplitter();
    this.heldProse = "";
  }

  /** Listeners see each event as it happens, so a call is announced before its approval. */
  private listen(): void {
    const agent = this.agent;
    agent.on("turn-start", () => this.startTurn());
    agent.on("text-delta", ({ text }) => this.sendPieces(this.thinking.push(text)));
    // The broken attempt's prose was never sent; its thoughts were, so say they are void.
    agent.on("turn-restart", (event) => {
      this.startTurn();
      this.send({
        sessionUpdate: "agent_thought_chunk",
        content: { type: "text", text: restartNote(event) },
      });
    });
    agent.on("turn-end", ({ finishReason }) => {
      this.lastFinishReason = finishReason;
      this.sendPieces(this.thinking.end());
      const prose = `${this.heldProse}${this.prose.end()}`;
      this.heldProse = "";
      this.sendProse(prose === "" ? "" : `${prose}\n\n`);
    });
    agent.on("tool-call", ({ name, args }) => {
      if (name === "done") return;
      const id = `call-${++this.callCount}`;
      this.openCall = { id, name, args };
      const info = describeToolCall(name, args, this.setup.root);
      this.send({
        sessionUpdate: "tool_call",
        toolCallId: id,
        title: info.title,
        kind: info.kind,
        status: "pending",
        locations: info.locations,
        rawInput: args,
      });
    });
    agent.on("tool-result", ({ name, result }) => {
      const call = this.openCall;
      if (name === "done" || !call) return;
      this.openCall = undefined;
      const finish = async () => {
        const content: ToolCallContent[] = [];
        const file = typeof call.args.path === "string" ? call.args.path : undefined;
        if (result.ok && FILE_TOOLS.has(name) && file !== undefined) {
          const absolute = path.resolve(this.setup.root, file);
          const newText = await this.currentText(absolute);
          if (newText !== null) {
            content.push({ type: "diff", path: absolute, oldText: call.oldText ?? null, newText });
          }
        }
        const output = result.ok ? String(result.value ?? "") : result.error;
        if (output !== "")
          content.push({ type: "content", content: { type: "text", text: output } });
        this.send({
          sessionUpdate: "tool_call_update",
          toolCallId: call.id,
          status: result.ok ? "completed" : "failed",
          content,
        });
      };
      // The diff needs the new text, read once the tool is done; the update waits for it.
      this.outbox = this.outbox.then(finish).catch(() => undefined);
    });
  }

  /** The text of a file now, through the editor when it serves files; `null` when absent. */
  private async currentText(absolute: string): Promise<string | null> {
    try {
      return this.setup.fs
        ? await this.setup.fs.readTextFile(absolute)
        : await fs.readFile(absolute, "utf8");
    } catch {
      return null;
    }
  }

  /**
   * The tools' approval hook: remembers the file's text for the diff, then asks the
   * editor (`session/request_permission`) unless `--yes` or an earlier "always" answered.
   */
  private async approve(request: ApprovalRequest): Promise<ApprovalDecision> {
    const call = this.openCall;
    const input = (request.input ?? {}) as Record<string, unknown>;
    if (call && FILE_TOOLS.has(request.tool) && typeof input.path === "string") {
      call.oldText = await this.currentText(path.resolve(this.setup.root, input.path));
    }
    const remembered = this.remembered.get(request.tool);
    let allow: boolean;
    if (this.setup.allowAll) allow = true;
    else if (remembered !== undefined) allow = remembered;
    else allow = await this.ask(request, call);
    if (call) {
      this.send({
        sessionUpdate: "tool_call_update",
        toolCallId: call.id,
        status: allow ? "in_progress" : "failed",
      });
    }
    return allow ? true : { allow: false, reason: "the user rejected it in the editor" };
  }

  private async ask(request: ApprovalRequest, call: OpenCall | undefined): Promise<boolean> {
    const { client, sessionId, root } = this.setup;
    await this.outbox;
    const args = (request.input ?? {}) as Record<string, unknown>;
    const info = describeToolCall(request.tool, args, root);
    const signal = this.controller?.signal;
    const response = await client.request(
      "session/request_permission",
      {
        sessionId,
        toolCall: {
          toolCallId: call?.id ?? `call-${++this.callCount}`,
          title: info.title,
          kind: info.kind,
          status: "pending",
          locations: info.locations,
          rawInput: args,
          content: permissionPreview(request.tool, args, root, call?.oldText),
        },
        options: PERMISSION_OPTIONS,
      },
      signal ? { cancellationSignal: signal } : {},
    );
    const outcome = response.outcome;
    if (outcome.outcome !== "selected") return false;
    const choice = outcome.optionId;
    if (choice === "allow_always") this.remembered.set(request.tool, true);
    if (choice === "reject_always") this.remembered.set(request.tool, false);
    return choice === "allow_once" || choice === "allow_always";
  }

  /**
   * Runs one prompt to its end: a new task the first time, a follow-up message after.
   *
   * @param blocks - The prompt's content.
   * @returns The stop reason.
   * @throws GemmaCoderError `busy` while another prompt runs, `invalid-argument` for an
   *   empty prompt, and the provider's error when the model backend failed.
   */
  async prompt(blocks: readonly ContentBlock[]): Promise<PromptResponse> {
    if (this.running) {
      throw new GemmaCoderError("This session is already answering a prompt.", { code: "busy" });
    }
    const text = promptText(blocks);
    if (text.trim() === "") {
      throw new GemmaCoderError("The prompt has no text.", { code: "invalid-argument" });
    }
    const controller = new AbortController();
    this.controller = controller;
    this.lastFinishReason = undefined;
    this.proseSent = false;
    const run: Promise<RunResult> = this.started
      ? this.agent.resume(this.id, { message: text, signal: controller.signal })
      : this.agent.run(text, { signal: controller.signal });
    this.running = run.catch(() => undefined);
    let result: RunResult;
    try {
      result = await run;
    } finally {
      this.running = undefined;
      this.controller = undefined;
    }
    this.started = true;
    // A cancelled turn is not withdrawn: what it said so far is shown, cut off as it is.
    if (result.status === "aborted") this.sendProse(this.heldProse);
    this.heldProse = "";
    if (result.stopReason === "provider-error" && !controller.signal.aborted) {
      await this.outbox;
      throw result.error ?? new GemmaCoderError(result.message, { code: "provider-http" });
    }
    const stopReason = toStopReason(result, this.lastFinishReason);
    if (result.status === "done" && result.summary && !this.proseSent)
      this.sendProse(result.summary);
    else if (result.status === "failed") this.sendProse(`\n${result.message}`);
    await this.outbox;
    return { stopReason };
  }

  /** Aborts the running prompt, if any: the model request and any command stop. */
  cancel(): void {
    this.controller?.abort(new GemmaCoderError("Cancelled by the editor.", { code: "aborted" }));
  }

  /** Cancels, waits until nothing of this session is running any more, and disposes of it. */
  async close(): Promise<void> {
    this.cancel();
    await this.running;
    await this.outbox;
    await this.setup.dispose?.();
  }

  /** The agent's system prompt (the MCP servers' share of it is checked against a budget). */
  systemPrompt(): Promise<string> {
    return this.agent.systemPrompt();
  }

  /**
   * Tells the editor something about the session that does not stop it (an MCP server
   * that could not start): as notices when the editor presents them, else as a message.
   *
   * @param notes - One sentence each.
   * @param asNotices - Whether the client advertised `session.notices`.
   */
  tell(notes: readonly string[], asNotices: boolean): void {
    for (const note of notes) {
      if (asNotices) this.send({ sessionUpdate: "notice", severity: "warning", title: note });
      else
        this.send({
          sessionUpdate: "agent_message_chunk",
          content: { type: "text", text: `${note}\n\n` },
        });
    }
  }

  /**
   * Replays a stored conversation as `session/update` notifications (for `session/load`):
   * the user's messages, the model's prose, and each tool call with its result.
   *
   * @param messages - The conversation, as the transcript rebuilds it.
   */
  async replay(messages: readonly ChatMessage[]): Promise<void> {
    for (const message of messages) {
      const content = typeof message.content === "string" ? message.content : "";
      // Tool results travel as user messages; the calls they answer were the model's.
      if (message.role === "user" && !content.trimStart().startsWith("<tool_result")) {
        this.send({
          sessionUpdate: "user_message_chunk",
          content: { type: "text", text: content },
        });
      } else if (message.role === "assistant") {
        const splitter = new ThinkingSplitter();
        const pieces = [...splitter.push(content), ...splitter.end()];
        for (const piece of pieces.filter((p) => p.kind === "thought")) {
          this.send({
            sessionUpdate: "agent_thought_chunk",
            content: { type: "text", text: piece.text },
          });
        }
        const filter = new ProseFilter();
        const text = pieces
          .filter((p) => p.kind === "prose")
          .map((p) => p.text)
          .join("");
        const prose = `${filter.push(text)}${filter.end()}`;
        if (prose !== "") {
          this.send({
            sessionUpdate: "agent_message_chunk",
            content: { type: "text", text: prose },
          });
        }
      }
    }
    await this.outbox;
  }
}

/** The thought chunk that tells the editor a broken reply was dropped and asked again. */
function restartNote(event: AgentEventMap["turn-restart"]): string {
  const reason = event.reason.message.split("\n")[0] ?? "";
  return `\n(The reply broke off: ${reason}. What it said so far is withdrawn, and the turn is asked again, retry ${event.attempt} of ${event.retries}.)\n`;
}

/** The text of a prompt: text blocks, and the text of embedded resources and links. */
function promptText(blocks: readonly ContentBlock[]): string {
  const parts: string[] = [];
  for (const block of blocks) {
    if (block.type === "text") parts.push(block.text);
    else if (block.type === "resource_link") parts.push(`(${block.uri})`);
    else if (block.type === "resource" && "text" in block.resource) {
      parts.push(`${block.resource.uri}:\n${block.resource.text}`);
    }
  }
  return parts.join("\n");
}
