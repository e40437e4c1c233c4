// Runs one suite: a fresh workspace and code-server, the workbench in headless Chromium with
// the test payload, the tests' log on stdout, the browser-side actions they ask for, and an
// overall timeout. Whatever happens, code-server and Chromium are killed before it returns.
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openWorkbench } from "./open-workbench.mjs";
import { payloadUrl } from "./payload-url.mjs";
import { trackFolder } from "./processes.mjs";
import { startCodeServer } from "./start-code-server.mjs";
import { createActionQueue } from "./ui-actions.mjs";

/**
 * One suite of extension tests.
 *
 * @typedef {object} Suite
 * @property {string} name - Short kebab-case name (artifacts go under it).
 * @property {string} extensionPath - The extension's folder (`extensionDevelopmentPath`).
 * @property {string} testsPath - The built tests file, exporting `run()`.
 * @property {string} [workspaceTemplate] - A folder copied as the workspace (else empty).
 * @property {Record<string, unknown>} [settings] - User settings for this suite.
 * @property {Record<string, string>} [env] - Environment for code-server and the extension host.
 * @property {number} [timeoutMs] - The whole suite's limit (default 5 minutes).
 */

/**
 * Runs a suite.
 *
 * @param {Suite} suite
 * @param {object} options
 * @param {string} options.codeServerBin - code-server's entry script.
 * @param {string} options.artifactsDir - The suite's artifacts go to `<this>/<name>`.
 * @param {(line: string) => void} [options.print] - Output (default: stdout).
 * @returns {Promise<{ name: string, code: number, reason?: string, ms: number, pids: number[] }>}
 *   `code` 0 when the tests passed; `pids` the process groups it started (all ended).
 */
export async function runSuite(suite, options) {
  const print = options.print ?? ((line) => process.stdout.write(`${line}\n`));
  const started = Date.now();
  const artifacts = path.join(options.artifactsDir, suite.name);
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  const testLog = path.join(artifacts, "test.log");
  writeFileSync(testLog, "");
  const say = (line) => {
    // The folder is made again if it went (another run of the same suite cleared it).
    mkdirSync(artifacts, { recursive: true });
    appendFileSync(testLog, `${line}\n`);
    print(`[${suite.name}] ${line}`);
  };
  const scratch = mkdtempSync(path.join(os.tmpdir(), `gemma-coder-vscode-${suite.name}-`));
  const removeScratch = trackFolder(scratch);
  const resources = { server: undefined, workbench: undefined };
  try {
    const outcome = await runInside(suite, { ...options, artifacts, scratch, say, resources });
    if (outcome.reason) say(outcome.reason);
    return { name: suite.name, ...outcome, ms: Date.now() - started, pids: pidsOf(resources) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    say(reason);
    return { name: suite.name, code: 1, reason, ms: Date.now() - started, pids: pidsOf(resources) };
  } finally {
    if (resources.workbench) {
      await resources.workbench.page
        .screenshot({ path: path.join(artifacts, "end.png") })
        .catch(() => {});
      await resources.workbench.close();
    }
    await resources.server?.stop();
    removeScratch();
  }
}

function pidsOf(resources) {
  return [resources.server?.pid, resources.workbench?.pid].filter((pid) => pid !== undefined);
}

async function runInside(suite, context) {
  const workspace = path.join(context.scratch, "workspace");
  if (suite.workspaceTemplate) cpSync(suite.workspaceTemplate, workspace, { recursive: true });
  else mkdirSync(workspace);
  const controlDir = path.join(context.scratch, "control");
  mkdirSync(controlDir);
  context.say(`starting code-server (workspace ${workspace})`);
  const server = await startCodeServer({
    bin: context.codeServerBin,
    dir: path.join(context.scratch, "code-server"),
    workspace,
    settings: suite.settings,
    logFile: path.join(context.artifacts, "code-server.log"),
    env: {
      ...suite.env,
      VSCODE_TEST_CONTROL_DIR: controlDir,
      VSCODE_TEST_ARTIFACTS_DIR: context.artifacts,
    },
  });
  context.resources.server = server;
  context.say(`code-server pid ${server.pid} at ${server.url}`);
  let queue;
  // Log lines that come before the page is handed back (the tests may start that early)
  // wait here for the action queue.
  const early = [];
  const workbench = await openWorkbench({
    url: payloadUrl(server.url, {
      workspace,
      extensionPath: suite.extensionPath,
      testsPath: suite.testsPath,
    }),
    onLog: (line) => {
      if (queue === undefined) early.push(line);
      else if (!queue.handle(line)) context.say(line);
    },
  });
  context.resources.workbench = workbench;
  context.say(`chromium pid ${workbench.pid}`);
  queue = createActionQueue({
    page: workbench.page,
    controlDir,
    screenshotsDir: context.artifacts,
    log: context.say,
  });
  for (const line of early.splice(0)) if (!queue.handle(line)) context.say(line);
  return await firstOf(suite, workbench, server);
}

/** The tests' exit code, or a failure when the time runs out or code-server dies first. */
function firstOf(suite, workbench, server) {
  const timeoutMs = suite.timeoutMs ?? 5 * 60_000;
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          code: 1,
          reason: `suite "${suite.name}" did not finish within ${timeoutMs / 1000} s (see its test.log and end.png)`,
        }),
      timeoutMs,
    );
  });
  const died = server.exited.then((code) => ({
    code: 1,
    reason: `code-server exited (code ${code}) during the suite`,
  }));
  const finished = workbench.exitCode.then((code) =>
    code === 0 ? { code: 0 } : { code, reason: `tests failed (exit ${code})` },
  );
  return Promise.race([finished, timeout, died]).finally(() => clearTimeout(timer));
}
