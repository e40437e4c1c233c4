import { openSessions, type Sessions } from "@gemma-coder/sessions";
import * as vscode from "vscode";
import { createApi, type GemmaCoderApi } from "./api.js";
import { ApprovalUi } from "./approval-ui.js";
import { ApprovalQueue } from "./approvals.js";
import { backendOpener } from "./backend-opener.js";
import { CHAT_VIEW_ID, ChatView } from "./chat-view.js";
import { registerCommands } from "./commands.js";
import { PROPOSED_SCHEME, ProposedContent } from "./proposed-content.js";
import type { ViewMessage } from "./protocol.js";
import { RunController } from "./run-controller.js";
import { sessionItems } from "./session-items.js";
import { readOnlyReason, readSettings } from "./settings.js";
import { statusText } from "./status-item.js";
import { vscodeDocuments } from "./vscode-documents.js";
import { createWorkspaceFs } from "./workspace-fs.js";

/** The folder the agent works in: the first workspace folder on disk. */
function workspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.find((folder) => folder.uri.scheme === "file")?.uri
    .fsPath;
}

/**
 * Activates the extension: the chat view, the approval flow, the status item, the
 * commands and the run controller that runs the agent in this process.
 *
 * @param context - The extension context.
 * @returns The test API.
 */
export function activate(context: vscode.ExtensionContext): GemmaCoderApi {
  const output = vscode.window.createOutputChannel("gemma-coder");
  const log = (line: string) => output.appendLine(`${new Date().toISOString()} ${line}`);
  const workspace = workspaceFolder() ?? "";
  const settings = () =>
    readSettings((key) => vscode.workspace.getConfiguration("gemmaCoder").get(key));
  const readOnly = () => readOnlyReason(vscode.workspace.isTrusted, settings());
  const reader = createWorkspaceFs(vscodeDocuments);
  const read = (file: string) => reader.readTextFile(file);
  const proposed = new ProposedContent();
  const ui = new ApprovalUi({ workspace, read, proposed, log });
  let controller: RunController | undefined;
  const approvals = new ApprovalQueue({
    mode: () => settings().approval,
    show: (pending) => ui.show(pending),
    hide: (pending) => ui.hide(pending),
    onChange: (pending) => {
      void vscode.commands.executeCommand(
        "setContext",
        "gemmaCoder.approvalPending",
        pending !== undefined,
      );
      controller?.approvalChanged(pending !== undefined);
    },
  });
  ui.attach(approvals);
  let sessions: Promise<Sessions | undefined> | undefined;
  const openWorkspaceSessions = () => {
    sessions ??=
      workspace === ""
        ? Promise.resolve(undefined)
        : openSessions({ workspace }).catch((error: unknown) => {
            log(
              `sessions could not be opened: ${error instanceof Error ? error.message : String(error)}`,
            );
            sessions = undefined;
            return undefined;
          });
    return sessions;
  };
  let latestSession: string | undefined;
  const chat = new ChatView(context.extensionUri, (message) => void onViewMessage(message));
  const refreshSessions = async () => {
    const store = (await openWorkspaceSessions())?.store;
    const items = store ? sessionItems(await store.list().catch(() => [])) : [];
    latestSession = items[0]?.id ?? latestSession;
    chat.post({ type: "sessions", items });
  };
  controller = new RunController({
    workspace,
    settings,
    readOnlyReason: readOnly,
    openBackend: backendOpener(context.secrets, log),
    documents: vscodeDocuments,
    sessions: openWorkspaceSessions,
    approvals,
    post: (message) => chat.post(message),
    log,
  });
  const run = controller;
  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  status.command = "gemmaCoder.openChat";
  status.tooltip = "gemma-coder: open the chat";
  const showStatus = () => {
    status.text = statusText(run.backend, run.state);
  };
  showStatus();
  status.show();
  let shownState = run.state;
  run.onDidChange((state) => {
    if (state === shownState) return;
    shownState = state;
    showStatus();
    const busy = state === "running" || state === "waiting-approval";
    void vscode.commands.executeCommand("setContext", "gemmaCoder.running", busy);
  });
  const runAndRefresh = async (start: Parameters<RunController["run"]>[0]) => {
    if (workspace === "") {
      chat.post({
        type: "error",
        message: "gemma-coder needs a folder: open one first (File > Open Folder).",
        fix: undefined,
      });
      return { status: "error" as const, changedFiles: [], error: "no workspace folder is open" };
    }
    const outcome = await run.run(start);
    latestSession = run.lastRun?.sessionId ?? latestSession;
    showStatus();
    await refreshSessions();
    return outcome;
  };
  async function onViewMessage(message: ViewMessage): Promise<void> {
    if (message.type === "ready") await refreshSessions();
    else if (message.type === "send") await runAndRefresh({ kind: "task", task: message.task });
    else if (message.type === "stop") run.stop();
    else if (message.type === "resume")
      await runAndRefresh({
        kind: "resume",
        sessionId: message.sessionId,
        message: message.message,
      });
    else if (message.type === "open-file") await openFileAt(workspace, message.path, message.line);
  }
  context.subscriptions.push(
    output,
    status,
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, chat, {
      webviewOptions: { retainContextWhenHidden: true },
    }),
    vscode.workspace.registerTextDocumentContentProvider(PROPOSED_SCHEME, proposed),
    vscode.workspace.onDidGrantWorkspaceTrust(() => run.setState(run.state)),
    ...registerCommands({
      context,
      workspace,
      chat,
      run,
      approvals,
      runAndRefresh,
      settings,
      log,
      output,
      read,
    }),
  );
  void vscode.commands.executeCommand(
    "setContext",
    "gemmaCoder.readOnly",
    readOnly() !== undefined,
  );
  log(
    `activated in ${workspace || "a window without a folder"}${readOnly() ? ` (${readOnly()})` : ""}`,
  );
  return createApi({
    state: () => run.state,
    onDidChange: (listener) => run.onDidChange(listener),
    runTask: async (task) => {
      await chat.reveal().catch(() => undefined);
      return runAndRefresh({ kind: "task", task });
    },
    lastSessionId: () => latestSession,
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
  if (!target.fsPath.startsWith(root.fsPath)) return;
  const position = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
  await vscode.window.showTextDocument(target, {
    selection: new vscode.Range(position, position),
    preview: true,
  });
}

/** Nothing to release beyond the subscriptions. */
export function deactivate(): void {}
