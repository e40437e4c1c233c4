// Opens the workbench in Debian's headless Chromium through playwright-core and collects
// what the extension tests report: their log lines (`codeAutomationLog`) and their exit code
// (`codeAutomationExit`), which the workbench calls on the page's window.
import { chromium } from "playwright-core";
import { chromiumPath } from "./prerequisites.mjs";
import { killGroup, trackGroup } from "./processes.mjs";

/** Flags that keep Chromium quiet, offline and working as root in a container. */
export const chromiumFlags = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/**
 * An open workbench.
 *
 * @typedef {object} Workbench
 * @property {import("playwright-core").Page} page - The page, for UI actions and screenshots.
 * @property {number | undefined} pid - Chromium's pid, which leads its process group.
 * @property {Promise<number>} exitCode - Resolves with the tests' exit code.
 * @property {() => Promise<void>} close - Closes Chromium (kills its process group).
 */

/**
 * Launches Chromium and opens `url`.
 *
 * @param {object} options
 * @param {string} options.url - The workbench URL with the test payload.
 * @param {(line: string) => void} options.onLog - Receives each log line of the tests.
 * @returns {Promise<Workbench>}
 */
export async function openWorkbench(options) {
  // A browser server rather than `launch()`: it exposes Chromium's process, whose group the
  // runner kills whatever happens.
  const server = await chromium.launchServer({
    executablePath: chromiumPath,
    headless: true,
    args: chromiumFlags,
    // The runner's own handlers kill Chromium and code-server together.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const pid = server.process().pid;
  if (pid !== undefined) trackGroup(pid);
  const close = async () => {
    await server.close().catch(() => {});
    if (pid !== undefined) killGroup(pid);
  };
  try {
    const browser = await chromium.connect(server.wsEndpoint());
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    let resolveExit = () => {};
    const exitCode = new Promise((resolve) => {
      resolveExit = resolve;
    });
    await page.exposeFunction("codeAutomationLog", (type, args) => {
      for (const line of formatLog(type, args)) options.onLog(line);
    });
    await page.exposeFunction("codeAutomationExit", (code) => resolveExit(Number(code)));
    await page.goto(options.url);
    return { page, pid, exitCode, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Turns one `codeAutomationLog(type, args)` call into text lines. */
function formatLog(type, args) {
  const parts = (Array.isArray(args) ? args : [args]).map((arg) =>
    typeof arg === "string" ? arg : JSON.stringify(arg),
  );
  const text = parts.join(" ");
  const prefix = type === "error" ? "[error] " : type === "warn" ? "[warn] " : "";
  return text.split("\n").map((line) => `${prefix}${line}`);
}
