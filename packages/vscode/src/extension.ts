import path from "node:path";
import { openSessions, type Sessions } from "@gemma-coder/sessions";
import * as vscode from "vscode";
import { createApi, type GemmaCoderApi } from "./api.js";
import { ApprovalUi } from "./approval-ui.js";
import { ApprovalQueue } from "./approvals.js";
import { backendOpener } from "./backend-opener.js";
import { ChatActions } from "./chat-actions.js";
import { CHAT_VIEW_ID, ChatView } from "./chat-view.js";
import { registerCommands } from "./commands.js";
import { PROPOSED_SCHEME, ProposedContent } from "./proposed-content.js";
import { RunController, type RunStart } from "./run-controller.js";
import { type ExtensionSettings, readOnlyReason, readSettings } from "./settings.js";
import { statusText } from "./status-item.js";
import { vscodeDocuments } from "./vscode-documents.js";
import { createWorkspaceFs } from "./workspace-fs.js";

/** What every part of the extension shares. */
interface Basics {
  context: vscode.ExtensionContext;
  output: vscode.OutputChannel;
  log: (line: string) => void;
  /** The first workspace folder on disk; empty when no folder is open. */
  workspace: string;
  settings: () => ExtensionSettings;
  readOnly: () => string | undefined;
  /** Reads a file as the agent sees it (open document, else disk). */
  read: (file: string) => Promise<string>;
}

function basics(context: vscode.ExtensionContext): Basics {
  const output = vscode.window.createOutputChannel("gemma-coder");
  const workspace =
    vscode.workspace.workspaceFolders?.find((folder) => folder.uri.scheme === "file")?.uri.fsPath ??
    "";
  const settings = () =>
    readSettings((key) => vscode.workspace.getConfiguration("gemmaCoder").get(key));
  const reader = createWorkspaceFs(vscodeDocuments);
  return {
    context,
    output,
    log: (line) => output.appendLine(`${new Date().toISOString()} ${line}`),
    workspace,
    settings,
    readOnly: () => readOnlyReason(vscode.workspace.isTrusted, settings()),
    read: (file) => reader.readTextFile(file),
  };
}

/** The approval queue and its VS Code UI; the controller is told when a question waits. */
function approvalsFor(base: Basics, proposed: ProposedContent, controller: () => RunController) {
  const ui = new ApprovalUi({
    workspace: base.workspace,
    read: base.read,
    proposed,
    log: base.log,
  });
  const approvals = new ApprovalQueue({
    mode: () => base.settings().approval,
    show: (pending) => ui.show(pending),
    hide: (pending) => ui.hide(pending),
    onChange: (pending) => {
      const waiting = pending !== undefined;
      void vscode.commands.executeCommand("setContext", "gemmaCoder.approvalPending", waiting);
      controller().approvalChanged(waiting);
    },
  });
  ui.attach(approvals);
  return approvals;
}

/** Opens the workspace's sessions once, on first use; a failure is logged and retried next time. */
function sessionsOpener(base: Basics): () => Promise<Sessions | undefined> {
  let sessions: Promise<Sessions | undefined> | undefined;
  return () => {
    if (base.workspace === "") return Promise.resolve(undefined);
    sessions ??= openSessions({ workspace: base.workspace }).catch((error: unknown) => {
      base.log(`sessions could not be opened: ${error instanceof Error ? error.message : error}`);
      sessions = undefined;
      return undefined;
    });
    return sessions;
  };
}

/** The status-bar item, following the controller's state. */
function statusItem(run: RunController): vscode.StatusBarItem {
  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  status.command = "gemmaCoder.openChat";
  status.tooltip = "gemma-coder: open the chat";
  status.text = statusText(run.backend, run.state);
  status.show();
  let shown = run.state;
  run.onDidChange((state) => {
    if (state === shown) return;
    shown = state;
    status.text = statusText(run.backend, state);
    const busy = state === "running" || state === "waiting-approval";
    void vscode.commands.executeCommand("setContext", "gemmaCoder.running", busy);
  });
  return status;
}

/**
 * Activates the extension: the chat view, the approval flow, the status item, the
 * commands and the run controller that runs the agent in this process.
 *
 * @param context - The extension context.
 * @returns The test API.
 */
export function activate(context: vscode.ExtensionContext): GemmaCoderApi {
  const base = basics(context);
  const { workspace, log } = base;
  const proposed = new ProposedContent();
  const approvals = approvalsFor(base, proposed, () => run);
  const sessions = sessionsOpener(base);
  const chat = new ChatView(context.extensionUri, (message) => void actions.handle(message));
  const run: RunController = new RunController({
    workspace,
    settings: base.settings,
    readOnlyReason: base.readOnly,
    openBackend: backendOpener(context.secrets, log),
    documents: vscodeDocuments,
    sessions,
    approvals,
    post: (message) => chat.post(message),
    log,
  });
  const actions = new ChatActions({
    workspace,
    run,
    sessions,
    post: (message) => chat.post(message),
    openFile: (file, line) => openFileAt(workspace, file, line),
  });
  const runAndRefresh = (start: RunStart) => actions.runAndRefresh(start);
  context.subscriptions.push(
    base.output,
    statusItem(run),
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, chat, {
      webviewOptions: { retainContextWhenHidden: true },
    }),
    vscode.workspace.registerTextDocumentContentProvider(PROPOSED_SCHEME, proposed),
    vscode.workspace.onDidGrantWorkspaceTrust(() => run.setState(run.state)),
    ...registerCommands({ ...base, chat, run, approvals, runAndRefresh }),
  );
  void vscode.commands.executeCommand(
    "setContext",
    "gemmaCoder.readOnly",
    base.readOnly() !== undefined,
  );
  log(`activated in ${workspace || "a window without a folder"}`);
  return createApi({
    state: () => run.state,
    onDidChange: (listener) => run.onDidChange(listener),
    runTask: async (task) => {
      await chat.reveal().catch(() => undefined);
      return runAndRefresh({ kind: "task", task });
    },
    lastSessionId: () => actions.latestSession,
  });
}

/**
 * Opens a workspace file at a line (from a tool card's link). Paths outside the workspace
 * are refused: the link text came from the model.
 *
 * @param workspace - The workspace folder.
 * @param relativePath - The path as the card shows it.
 * @param line - The line, counting from 1.
 */
export async function openFileAt(
  workspace: string,
  relativePath: string,
  line: number | undefined,
): Promise<void> {
  const root = vscode.Uri.file(workspace);
  const target = vscode.Uri.joinPath(root, relativePath);
  const inside = path.relative(root.fsPath, target.fsPath);
  if (inside.startsWith("..") || path.isAbsolute(inside)) return;
  const position = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
  const selection = new vscode.Range(position, position);
  await vscode.window.showTextDocument(target, { selection, preview: true });
}

/** Nothing to release beyond the subscriptions. */
export function deactivate(): void {}
