// The extension in a real VS Code, in a trusted workspace, against a loopback model server:
// a bug fix typed in the chat view and accepted in the diff editor, the same fix rejected,
// a run stopped mid-stream, an unsaved buffer as what the agent reads, undo of a run, and a
// backend that is down. Each test checks what a person would see and what lands on disk.
import { strict as assert } from "node:assert";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import * as vscode from "vscode";
import {
  clickInChat,
  clickNotification,
  readChat,
  readNotification,
  screenshot,
  typeTask,
  waitForWorkbench,
  waitForWorkbenchHidden,
} from "./support/browser.js";
import {
  closeEverything,
  configure,
  type GemmaCoderApi,
  gemmaCoder,
  proposedDiffTabs,
  useModelServer,
  waitForState,
} from "./support/extension.js";
import { assertIncludes, type HostTest, runTests, until } from "./support/harness.js";
import { call, deadPort, type ModelServer, startModelServer } from "./support/model-server.js";
import {
  buggyCalc,
  editWithoutSaving,
  existsOnDisk,
  fixedCalc,
  readBuffer,
  readOnDisk,
  revertAll,
  workspaceRoot,
  writeOnDisk,
} from "./support/workspace.js";

const servers: ModelServer[] = [];

/** Starts a scripted model server for this test and points the extension at it. */
async function modelServer(replies: Parameters<typeof startModelServer>[0]): Promise<ModelServer> {
  const server = await startModelServer(replies);
  servers.push(server);
  await useModelServer(server.url);
  return server;
}

/** The scripted model's side of a one-line bug fix. */
const fixReplies = (done = "add() now adds.") => [
  `Let me read it.\n${call("read_file", { path: "calc.py" })}`,
  call("edit_file", { path: "calc.py", old: "a - b", new: "a + b" }),
  call("done", { summary: done }),
];

/** Everything the model server was sent, as text, to look for what reached it. */
const sentToModel = (server: ModelServer, index: number): string =>
  JSON.stringify(
    server.requests.filter((request) => request.path === "/api/chat")[index]?.body ?? null,
  );

/** The stop button in the chat view's title bar (shown while a run goes). */
const titleStopButton = ".part.sidebar .action-label.codicon-debug-stop";

const activeFile = (): string | undefined => vscode.window.activeTextEditor?.document.uri.fsPath;

async function openChatAndType(task: string): Promise<void> {
  await vscode.commands.executeCommand("gemmaCoder.openChat");
  await typeTask(task);
}

function tests(api: GemmaCoderApi): HostTest[] {
  return [
    {
      name: "a bug fix typed in the chat, accepted in the diff editor, lands in the buffer and on disk",
      async body() {
        writeOnDisk("calc.py", buggyCalc);
        const server = await modelServer({ replies: fixReplies() });
        await openChatAndType("Fix add() in calc.py: it subtracts.");
        await waitForState(api, ["waiting-approval"]);
        await until(
          () => proposedDiffTabs().includes("gemma-coder: calc.py (proposed)"),
          "the diff editor",
        );
        // What a person sees before answering: both sides of the diff and the question.
        await waitForWorkbench(".monaco-diff-editor .editor.modified .view-lines", "a + b");
        await waitForWorkbench(".monaco-diff-editor .editor.original .view-lines", "a - b");
        await readNotification("gemma-coder wants to change calc.py");
        await waitForWorkbench(".part.statusbar", "gemma-coder: ollama gemma4:e4b");
        await screenshot("diff-approval");
        await clickNotification("gemma-coder wants to change calc.py", "Accept");
        await waitForState(api, ["done"]);
        await until(() => readOnDisk("calc.py") === fixedCalc, "the fix on disk");
        assert.equal(await readBuffer("calc.py"), fixedCalc, "the editor buffer");
        const summary = await readChat("summary", { text: "add() now adds." });
        assertIncludes(summary.join("\n"), "add() now adds.", "the chat's summary");
        await readChat("tool-card", { where: '[data-tool="edit_file"][data-status="ok"]' });
        await clickInChat("file-link", { last: true });
        await until(
          () => activeFile()?.endsWith("calc.py"),
          "calc.py opened from the chat's file link",
        );
        await waitForWorkbench(".editor-instance .view-lines", "a + b");
        await screenshot("chat");
        assert.equal(server.chats, 3, "model requests");
      },
    },
    {
      name: "a rejected change leaves the file as it was",
      async body() {
        writeOnDisk("calc.py", buggyCalc);
        await modelServer({
          replies: [
            ...fixReplies().slice(0, 2),
            call("done", { summary: "Left calc.py unchanged." }),
          ],
        });
        await openChatAndType("Fix add() in calc.py.");
        await waitForState(api, ["waiting-approval"]);
        await clickNotification("gemma-coder wants to change calc.py", "Reject");
        await waitForState(api, ["done"]);
        await readChat("tool-card", { where: '[data-tool="edit_file"][data-status="denied"]' });
        assert.equal(readOnDisk("calc.py"), buggyCalc, "the file on disk");
        assert.equal(await readBuffer("calc.py"), buggyCalc, "the editor buffer");
      },
    },
    {
      name: "a repository's own settings cannot switch off the questions",
      async body() {
        writeOnDisk("calc.py", buggyCalc);
        // What a cloned repository could ship: auto-edits, beside a setting that proves
        // VS Code has read the file before the run starts.
        mkdirSync(path.join(workspaceRoot(), ".vscode"), { recursive: true });
        writeOnDisk(
          ".vscode/settings.json",
          JSON.stringify({ "gemmaCoder.approval": "auto-edits", "gemmaCoder.maxSteps": 39 }),
        );
        try {
          const settings = () => vscode.workspace.getConfiguration("gemmaCoder");
          await until(() => settings().get("maxSteps") === 39, "the workspace settings read");
          await modelServer({ replies: fixReplies() });
          let finished = false;
          const outcome = api.runTask("Fix add() in calc.py.").finally(() => {
            finished = true;
          });
          await until(() => finished || api.state === "waiting-approval", "a question or the end");
          assert.equal(finished, false, "the run ended without asking about the change");
          await vscode.commands.executeCommand("gemmaCoder.rejectChange");
          await outcome;
          assert.equal(readOnDisk("calc.py"), buggyCalc, "the file on disk");
        } finally {
          rmSync(path.join(workspaceRoot(), ".vscode"), { recursive: true, force: true });
        }
      },
    },
    {
      name: "a shell command is shown exactly and runs only after Run",
      async body() {
        const command = "echo fixed > shell-out.txt";
        await modelServer({
          replies: [call("run_shell", { command }), call("done", { summary: "Ran it." })],
        });
        await openChatAndType("Write shell-out.txt with the shell.");
        await waitForState(api, ["waiting-approval"]);
        await readNotification(`gemma-coder wants to run: ${command}`);
        assert.equal(existsOnDisk("shell-out.txt"), false, "nothing ran before the answer");
        await clickNotification(`gemma-coder wants to run: ${command}`, "Run");
        await waitForState(api, ["done"]);
        assert.equal(readOnDisk("shell-out.txt"), "fixed\n", "what the command wrote");
        await readChat("tool-card", { where: '[data-tool="run_shell"][data-status="ok"]' });
      },
    },
    {
      name: "stop ends a run while the model is still streaming",
      async body() {
        writeOnDisk("calc.py", buggyCalc);
        const server = await modelServer({
          replies: [{ text: "Let me think about this", hang: true }],
        });
        await openChatAndType("Explain calc.py.");
        await until(() => server.openChats === 1, "the model's reply to be streaming");
        await readChat("prose", { text: "Let me think" });
        await waitForWorkbench(titleStopButton);
        await clickInChat("stop");
        await waitForState(api, ["stopped"]);
        await readChat("status", { text: "stopped" });
        await until(() => server.abortedChats === 1, "the model request to be closed");
        // The view's own stop button goes once the run has ended.
        await waitForWorkbenchHidden(titleStopButton);
      },
    },
    {
      name: "the agent reads the unsaved buffer, not the file on disk",
      async body() {
        writeOnDisk("calc.py", buggyCalc);
        const unsaved = "def add(a, b):\n    return a * b  # unsaved edit\n";
        const document = await editWithoutSaving("calc.py", unsaved);
        const server = await modelServer({
          replies: [call("read_file", { path: "calc.py" }), call("done", { summary: "Read it." })],
        });
        const outcome = await api.runTask("What does add() in calc.py do?");
        assert.equal(outcome.status, "done", "the run's status");
        assertIncludes(
          sentToModel(server, 1),
          "a * b  # unsaved edit",
          "the read_file result sent to the model",
        );
        assert.equal(readOnDisk("calc.py"), buggyCalc, "the file on disk");
        assert.equal(document.isDirty, true, "the buffer stays unsaved");
      },
    },
    {
      name: "undo of the last run restores the file",
      async body() {
        writeOnDisk("calc.py", buggyCalc);
        await configure({ approval: "auto-edits" });
        await modelServer({ replies: fixReplies() });
        const outcome = await api.runTask("Fix add() in calc.py.");
        assert.equal(outcome.status, "done", "the run's status");
        await until(() => readOnDisk("calc.py") === fixedCalc, "the fix on disk");
        await vscode.commands.executeCommand("gemmaCoder.undoLastRun");
        await until(() => readOnDisk("calc.py") === buggyCalc, "the file restored on disk");
        await until(async () => (await readBuffer("calc.py")) === buggyCalc, "the buffer restored");
      },
    },
    {
      name: "a backend that is down gives a clear message with the fix",
      async body() {
        const port = await deadPort();
        await configure({
          provider: "ollama",
          baseUrl: `http://127.0.0.1:${port}`,
          model: "gemma4:e4b",
        });
        await openChatAndType("Fix add() in calc.py.");
        await waitForState(api, ["error"]);
        const [message = ""] = await readChat("error");
        assertIncludes(message, `127.0.0.1:${port}`, "the error names the address");
        assertIncludes(message, "ollama serve", "the error says how to start the backend");
        assertIncludes(message, "gemmaCoder.baseUrl", "the error names the setting");
      },
    },
  ];
}

/** The workbench calls this with the tests file loaded; a throw means exit code 1. */
export async function run(): Promise<void> {
  const api = await gemmaCoder();
  await runTests("chat", tests(api), async () => {
    if (api.state === "running" || api.state === "waiting-approval") {
      await vscode.commands.executeCommand("gemmaCoder.stop");
      await waitForState(api, ["stopped", "error", "done"]);
    }
    for (const server of servers.splice(0)) await server.close();
    await configure({
      approval: undefined,
      provider: undefined,
      baseUrl: undefined,
      model: undefined,
    });
    await revertAll();
    await closeEverything();
  });
}
