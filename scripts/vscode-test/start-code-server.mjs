// Starts code-server for one suite: a fresh user-data folder (settings chosen by the suite),
// a throw-away HOME, a loopback port picked by the OS, telemetry and update checks off.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { groupAlive, killGroup, trackGroup } from "./processes.mjs";

/** User settings every suite starts from; a suite's own settings are laid over them. */
export const baseUserSettings = {
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  // In a browser VS Code saves after a second by default; desktop VS Code does not, and the
  // tests need an unsaved buffer to stay unsaved.
  "files.autoSave": "off",
  "workbench.tips.enabled": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "git.enabled": false,
  "chat.disableAIFeatures": true,
  "window.commandCenter": false,
};

/**
 * A running code-server.
 *
 * @typedef {object} CodeServer
 * @property {string} url - Its address, `http://127.0.0.1:<port>`.
 * @property {number} port - Its port.
 * @property {number} pid - Its pid, which leads its process group.
 * @property {() => Promise<void>} stop - Kills its whole process group.
 * @property {Promise<number | null>} exited - Resolves with the exit code if it ends.
 */

/**
 * Starts code-server and waits until it answers `/healthz`.
 *
 * @param {object} options
 * @param {string} options.bin - code-server's entry script.
 * @param {string} options.dir - An empty folder for its state (HOME, user data, extensions).
 * @param {string} options.workspace - The folder it opens.
 * @param {Record<string, unknown>} [options.settings] - User settings over the base ones.
 * @param {Record<string, string>} [options.env] - Extra environment (reaches the extension host).
 * @param {string} options.logFile - Where its output goes.
 * @param {number} [options.startTimeoutMs] - How long it may take to answer.
 * @returns {Promise<CodeServer>}
 */
export async function startCodeServer(options) {
  const layout = prepareFolders(options.dir, { ...baseUserSettings, ...options.settings });
  const log = createWriteStream(options.logFile);
  const child = spawn(
    process.execPath,
    [
      options.bin,
      "--config",
      layout.config,
      "--disable-telemetry",
      "--disable-update-check",
      "--user-data-dir",
      layout.userData,
      "--extensions-dir",
      layout.extensions,
      options.workspace,
    ],
    {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        ...options.env,
        HOME: layout.home,
        XDG_CONFIG_HOME: path.join(layout.home, ".config"),
        XDG_DATA_HOME: path.join(layout.home, ".local", "share"),
        XDG_CACHE_HOME: path.join(layout.home, ".cache"),
      },
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error("vscode-test: code-server did not start");
  trackGroup(pid);
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  const stop = async () => {
    killGroup(pid);
    await exited;
    await waitFor(() => !groupAlive(pid), 10_000);
    log.end();
  };
  try {
    const port = await listeningPort(child, log, exited, options.startTimeoutMs ?? 60_000);
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, options.startTimeoutMs ?? 60_000);
    return { url, port, pid, stop, exited };
  } catch (error) {
    await stop();
    throw error;
  }
}

function prepareFolders(dir, settings) {
  const layout = {
    home: path.join(dir, "home"),
    userData: path.join(dir, "user-data"),
    extensions: path.join(dir, "extensions"),
    config: path.join(dir, "config.yaml"),
  };
  mkdirSync(path.join(layout.userData, "User"), { recursive: true });
  mkdirSync(layout.home, { recursive: true });
  mkdirSync(layout.extensions, { recursive: true });
  writeFileSync(
    path.join(layout.userData, "User", "settings.json"),
    `${JSON.stringify(settings, null, 2)}\n`,
  );
  // Port 0: the OS picks a free port, read back from code-server's start-up line, so two
  // runs at once never race for the same port.
  writeFileSync(layout.config, "bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n");
  return layout;
}

/** Reads the port from code-server's "HTTP server listening on" line. */
function listeningPort(child, log, exited, timeoutMs) {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `vscode-test: code-server did not start listening within ${timeoutMs / 1000} s`,
          ),
        ),
      timeoutMs,
    );
    const onData = (chunk) => {
      log.write(chunk);
      seen = (seen + chunk).slice(-4000);
      const match = /HTTP server listening on https?:\/\/127\.0\.0\.1:(\d+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    exited.then((code) => {
      clearTimeout(timer);
      reject(
        new Error(`vscode-test: code-server exited (code ${code}) before listening:\n${seen}`),
      );
    });
  });
}

async function waitForHealth(url, timeoutMs) {
  const ok = await waitFor(async () => {
    try {
      const response = await fetch(`${url}/healthz`);
      return response.ok;
    } catch {
      return false;
    }
  }, timeoutMs);
  if (!ok)
    throw new Error(
      `vscode-test: code-server at ${url} did not answer /healthz within ${timeoutMs / 1000} s`,
    );
}

/**
 * Polls a condition every 100 ms.
 *
 * @param {() => boolean | Promise<boolean>} condition
 * @param {number} timeoutMs
 * @returns {Promise<boolean>} Whether it held before the time ran out.
 */
export async function waitFor(condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}
