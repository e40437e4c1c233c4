// The in-host half of the runner's action protocol (see ../ui-actions.mjs): a test running
// in the extension host asks the browser side to do something it cannot do through the
// `vscode` API, and waits for the answer file. CommonJS because it runs in the extension
// host, which loads the tests with `require`.
"use strict";
const { existsSync, readFileSync } = require("node:fs");
const path = require("node:path");

const marker = "[vscode-test:action] ";
let counter = 0;

/**
 * Asks the runner to perform a browser-side action and waits for its answer.
 *
 * @param {string} action - The action's name (type-task, click, read-chat,
 *   click-notification, read-notification, screenshot).
 * @param {Record<string, unknown>} [params] - Its parameters.
 * @param {number} [timeoutMs] - How long to wait for the answer (default 90 s).
 * @returns {Promise<unknown>} The action's value.
 */
async function requestAction(action, params = {}, timeoutMs = 90_000) {
  const dir = process.env.VSCODE_TEST_CONTROL_DIR;
  if (!dir)
    throw new Error(
      "VSCODE_TEST_CONTROL_DIR is not set: run the tests through scripts/vscode-test",
    );
  counter += 1;
  const id = `${process.pid}-${counter}`;
  console.log(`${marker}${JSON.stringify({ id, action, ...params })}`);
  const file = path.join(dir, `${id}.json`);
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline)
      throw new Error(`no answer to the ${action} action within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const answer = JSON.parse(readFileSync(file, "utf8"));
  if (!answer.ok) throw new Error(`${action} failed in the browser: ${answer.error}`);
  return answer.value;
}

module.exports = { requestAction };
