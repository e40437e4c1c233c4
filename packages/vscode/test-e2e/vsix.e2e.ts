// The extension installed from its .vsix (not the development folder) works in VS Code: it
// activates, its chat view takes a task, and the run reaches the model server and ends with
// its summary. A file missing from the package would show here.
import { strict as assert } from "node:assert";
import * as vscode from "vscode";
import { readChat, typeTask } from "./support/browser.js";
import {
  configure,
  extensionId,
  gemmaCoder,
  useModelServer,
  waitForState,
} from "./support/extension.js";
import { runTests } from "./support/harness.js";
import { call, startModelServer } from "./support/model-server.js";
import { buggyCalc, writeOnDisk } from "./support/workspace.js";

/** The workbench calls this with the tests file loaded; a throw means exit code 1. */
export async function run(): Promise<void> {
  const installedFrom = process.env.VSCODE_TEST_EXTENSION_FROM_VSIX;
  const server = await startModelServer({
    replies: [call("read_file", { path: "calc.py" }), call("done", { summary: "Read calc.py." })],
  });
  try {
    await runTests("vsix", [
      {
        name: "the extension installed from the .vsix runs a task from its chat view",
        async body() {
          const extension = vscode.extensions.getExtension(extensionId);
          assert.ok(installedFrom, "the runner names the installed folder");
          assert.equal(
            extension?.extensionPath,
            installedFrom,
            "the extension is the installed copy",
          );
          const api = await gemmaCoder();
          writeOnDisk("calc.py", buggyCalc);
          await useModelServer(server.url);
          await vscode.commands.executeCommand("gemmaCoder.openChat");
          await typeTask("What does calc.py do?");
          await waitForState(api, ["done"]);
          await readChat("summary", { text: "Read calc.py." });
          assert.equal(server.chats, 2, "model requests");
        },
      },
    ]);
  } finally {
    await server.close();
    await configure({ provider: undefined, baseUrl: undefined, model: undefined });
  }
}
