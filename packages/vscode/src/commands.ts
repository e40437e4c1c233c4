import { formatUndoResult } from "@gemma-coder/sessions";
import * as vscode from "vscode";
import type { ApprovalAnswer, ApprovalQueue } from "./approvals.js";
import { OPENROUTER_KEY_SECRET } from "./backend-opener.js";
import type { ChatView } from "./chat-view.js";
import { pickModel } from "./pick-model.js";
import type { RunController, RunOutcome, RunStart } from "./run-controller.js";
import type { ExtensionSettings } from "./settings.js";
import { askTaskText, type EditorContext, fixTaskText } from "./task-text.js";
import { undoLastRun } from "./undo-last-run.js";
import { vscodeDocuments } from "./vscode-documents.js";
import { workspaceRelative } from "./workspace-relative.js";

/** What the commands act on. */
export interface CommandDeps {
  context: vscode.ExtensionContext;
  workspace: string;
  chat: ChatView;
  run: RunController;
  approvals: ApprovalQueue;
  runAndRefresh: (start: RunStart) => Promise<RunOutcome>;
  settings: () => ExtensionSettings;
  log: (line: string) => void;
  output: vscode.OutputChannel;
  read: (absolutePath: string) => Promise<string>;
}

/** The active editor's file and selection, or `undefined` (with a message) when there is none. */
function editorContext(
  workspace: string,
): { context: EditorContext; editor: vscode.TextEditor } | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.uri.scheme !== "file") {
    void vscode.window.showInformationMessage("gemma-coder: open a file of the workspace first.");
    return undefined;
  }
  const { selection, document } = editor;
  return {
    editor,
    context: {
      path: workspaceRelative(workspace, document.uri.fsPath),
      selection: document.getText(selection),
      startLine: selection.start.line + 1,
      endLine: selection.end.line + 1,
    },
  };
}

/** The problems VS Code reports in the selection (or the whole file), as `line N: message`. */
function problemsIn(editor: vscode.TextEditor): string[] {
  const range = editor.selection.isEmpty ? undefined : editor.selection;
  return vscode.languages
    .getDiagnostics(editor.document.uri)
    .filter(
      (d) =>
        d.severity <= vscode.DiagnosticSeverity.Warning && (!range || range.intersection(d.range)),
    )
    .slice(0, 20)
    .map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
}

function answer(approvals: ApprovalQueue, what: ApprovalAnswer): void {
  if (!approvals.answer(what))
    void vscode.window.showInformationMessage("gemma-coder: no change is waiting for approval.");
}

async function runTask(deps: CommandDeps, task: unknown): Promise<RunOutcome | undefined> {
  const text =
    typeof task === "string" && task.trim() !== ""
      ? task
      : await vscode.window.showInputBox({
          title: "gemma-coder: run a task",
          prompt: "What should gemma-coder do?",
        });
  if (!text) return undefined;
  await deps.chat.reveal();
  return deps.runAndRefresh({ kind: "task", task: text });
}

async function askAbout(deps: CommandDeps): Promise<RunOutcome | undefined> {
  const found = editorContext(deps.workspace);
  if (!found) return undefined;
  const question = await vscode.window.showInputBox({
    title: `gemma-coder: ask about ${found.context.path}`,
    prompt: "Your question",
  });
  if (!question) return undefined;
  await deps.chat.reveal();
  return deps.runAndRefresh({ kind: "task", task: askTaskText(question, found.context) });
}

async function fix(deps: CommandDeps): Promise<RunOutcome | undefined> {
  const found = editorContext(deps.workspace);
  if (!found) return undefined;
  await deps.chat.reveal();
  return deps.runAndRefresh({
    kind: "task",
    task: fixTaskText(found.context, problemsIn(found.editor)),
  });
}

async function undo(deps: CommandDeps): Promise<void> {
  if (deps.run.running) {
    void vscode.window.showWarningMessage("gemma-coder: stop the run before undoing.");
    return;
  }
  const { openSessions } = await import("@gemma-coder/sessions");
  const { checkpointer } = await openSessions({ workspace: deps.workspace });
  const target = { workspace: deps.workspace, checkpointer, read: deps.read, ...bindDocuments() };
  try {
    const result = await undoLastRun(target, deps.run.lastRun);
    const text = result ? formatUndoResult(result) : "There is no run to undo in this workspace.";
    deps.log(text);
    void vscode.window.showInformationMessage(`gemma-coder: ${text.split("\n")[0]}`);
  } catch (error) {
    void vscode.window.showErrorMessage(
      `gemma-coder: undo failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function bindDocuments() {
  return {
    replaceAndSave: vscodeDocuments.replaceAndSave.bind(vscodeDocuments),
    remove: vscodeDocuments.remove.bind(vscodeDocuments),
  };
}

async function setOpenRouterKey(secrets: vscode.SecretStorage): Promise<void> {
  const key = await vscode.window.showInputBox({
    title: "gemma-coder: OpenRouter API key",
    prompt:
      "Kept in VS Code's secret storage and sent only to OpenRouter. Leave empty to remove it.",
    password: true,
    ignoreFocusOut: true,
  });
  if (key === undefined) return;
  if (key.trim() === "") await secrets.delete(OPENROUTER_KEY_SECRET);
  else await secrets.store(OPENROUTER_KEY_SECRET, key.trim());
}

/**
 * Registers every command of the extension.
 *
 * @param deps - What the commands act on.
 * @returns The registrations, to dispose on deactivation.
 */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { approvals, run } = deps;
  const commands: Record<string, (...args: unknown[]) => unknown> = {
    "gemmaCoder.openChat": () => deps.chat.reveal(),
    "gemmaCoder.runTask": (task) => runTask(deps, task),
    "gemmaCoder.stop": () => run.stop(),
    "gemmaCoder.askAboutSelection": () => askAbout(deps),
    "gemmaCoder.fixSelection": () => fix(deps),
    "gemmaCoder.undoLastRun": () => undo(deps),
    "gemmaCoder.pickModel": () => pickModel(deps.settings(), deps.context.secrets),
    "gemmaCoder.showLog": () => deps.output.show(true),
    "gemmaCoder.setOpenRouterKey": () => setOpenRouterKey(deps.context.secrets),
    "gemmaCoder.acceptChange": () => answer(approvals, "accept"),
    "gemmaCoder.rejectChange": () => answer(approvals, "reject"),
    "gemmaCoder.acceptAllThisSession": () => answer(approvals, "accept-all"),
    "gemmaCoder.resumeSession": async (id) => {
      if (typeof id !== "string" || id === "") return undefined;
      await deps.chat.reveal();
      return deps.runAndRefresh({ kind: "resume", sessionId: id, message: undefined });
    },
  };
  return Object.entries(commands).map(([id, handler]) =>
    vscode.commands.registerCommand(id, handler),
  );
}
