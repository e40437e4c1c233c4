// The extension in a workspace VS Code does not trust (workspace trust on, folder never
// trusted): a change the model asks for is refused, nothing is written, and the chat says
// why. The backend settings are user settings, which VS Code honours in restricted mode.
import { strict as assert } from "node:assert";
import * as vscode from "vscode";
import { readChat, screenshot, typeTask } from "./support/browser.js";
import { configure, gemmaCoder, useModelServer, waitForState } from "./support/extension.js";
import { runTests } from "./support/harness.js";
import { call, startModelServer } from "./support/model-server.js";
import { buggyCalc, readBuffer, readOnDisk, writeOnDisk } from "./support/workspace.js";

/** The workbench calls this with the tests file loaded; a throw means exit code 1. */
export async function run(): Promise<void> {
  assert.equal(vscode.workspace.isTrusted, false, "the suite's workspace must not be trusted");
  const api = await gemmaCoder();
  const server = await startModelServer({
    replies: [
      call("write_file", { path: "calc.py", content: "print('pwned')\n" }),
      call("run_shell", { command: "touch shell-ran" }),
      call("done", { summary: "Could not change anything here." }),
    ],
  });
  try {
    await runTests("untrusted", [
      {
        name: "no file changes and no shell in an untrusted workspace, and the chat says why",
        async body() {
          writeOnDisk("calc.py", buggyCalc);
          await useModelServer(server.url);
          await vscode.commands.executeCommand("gemmaCoder.openChat");
          await typeTask("Fix add() in calc.py.");
          await waitForState(api, ["done"]);
          const said = await readChat("transcript", { text: "trust" });
          assert.match(said.join("\n"), /trust/i, "the chat explains the workspace is not trusted");
          await screenshot("untrusted");
          assert.equal(readOnDisk("calc.py"), buggyCalc, "the file on disk");
          assert.equal(await readBuffer("calc.py"), buggyCalc, "the editor buffer");
          const files = await vscode.workspace.findFiles("shell-ran");
          assert.equal(files.length, 0, "the shell command did not run");
        },
      },
    ]);
  } finally {
    await server.close();
    await configure({ provider: undefined, baseUrl: undefined, model: undefined });
  }
}
