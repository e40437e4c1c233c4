// The browser side of a test: what the in-host tests cannot do through the `vscode` API
// (type into the chat webview, click a notification's button, take a screenshot). A test
// asks for an action by logging a line `[vscode-test:action] {"id", "action", ...}`; the
// runner performs the actions one at a time, in order, and answers each by writing
// `<controlDir>/<id>.json` (`{ ok: true, value }` or `{ ok: false, error }`), which the
// test polls. Every wait here is on a condition, with a generous timeout.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The prefix of a log line that asks for an action. */
export const actionMarker = "[vscode-test:action] ";

/** How long one action may wait for its element (the machine is slow and shared). */
const actionTimeoutMs = 60_000;

/**
 * Creates the action queue of one suite.
 *
 * @param {object} options
 * @param {import("playwright-core").Page} options.page - The workbench page.
 * @param {string} options.controlDir - Where the answers are written.
 * @param {string} options.screenshotsDir - Where screenshots go.
 * @param {(line: string) => void} options.log - Receives the runner's notes.
 * @returns {{ handle(line: string): boolean }} `handle` takes a log line and reports
 *   whether it was an action request.
 */
export function createActionQueue(options) {
  mkdirSync(options.controlDir, { recursive: true });
  mkdirSync(options.screenshotsDir, { recursive: true });
  let chain = Promise.resolve();
  const handle = (line) => {
    const at = line.indexOf(actionMarker);
    if (at === -1) return false;
    let request;
    try {
      request = JSON.parse(line.slice(at + actionMarker.length));
    } catch {
      options.log(`vscode-test: unreadable action request: ${line}`);
      return true;
    }
    chain = chain.then(() => perform(request, options));
    return true;
  };
  return { handle };
}

async function perform(request, options) {
  let answer;
  try {
    const action = Object.hasOwn(actions, request.action) ? actions[request.action] : undefined;
    if (action === undefined) throw new Error(`unknown action ${request.action}`);
    const value = await action(options.page, request, options);
    answer = { ok: true, value: value ?? null };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    options.log(`vscode-test: action ${request.action} failed: ${message}`);
    await shoot(options.page, options.screenshotsDir, `failed-${request.action}-${request.id}`);
    answer = { ok: false, error: message };
  }
  // Written then renamed, so the test never reads half an answer.
  const file = path.join(options.controlDir, `${request.id}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(answer));
  renameSync(`${file}.tmp`, file);
}

/**
 * The chat webview's content frame: VS Code nests it as an `iframe.webview` holding
 * `#active-frame`.
 */
function chatFrame(page) {
  return page
    .frameLocator('iframe.webview[src*="gemma-coder"]')
    .first()
    .frameLocator("#active-frame");
}

/** Chat elements by `data-testid`, narrowed by extra attribute selectors (`where`). */
const byTestId = (page, testid, where = "") =>
  chatFrame(page).locator(`[data-testid="${testid}"]${where}`);

async function shoot(page, dir, name) {
  try {
    await page.screenshot({ path: path.join(dir, `${name}.png`) });
  } catch {
    // A screenshot of a failure is a courtesy; the failure itself is reported anyway.
  }
}

/** Each action: (page, request, options) => value for the answer. */
const actions = {
  /** Types `text` into the chat's task box and presses Enter. */
  async "type-task"(page, request) {
    const input = byTestId(page, "task-input");
    await input.waitFor({ state: "visible", timeout: actionTimeoutMs });
    await input.fill(request.text, { timeout: actionTimeoutMs });
    await input.press("Enter", { timeout: actionTimeoutMs });
  },
  /** Clicks the chat element with `data-testid` = `testid` (and `where`): the first, or the last. */
  async click(page, request) {
    const all = byTestId(page, request.testid, request.where);
    const target = request.last ? all.last() : all.first();
    await target.click({ timeout: actionTimeoutMs });
  },
  /**
   * Waits until a chat element with `testid` shows (containing `text` when given) and
   * returns the texts of all such elements.
   */
  async "read-chat"(page, request) {
    const all = byTestId(page, request.testid, request.where);
    const wanted =
      request.text === undefined ? all.first() : all.filter({ hasText: request.text }).first();
    await wanted.waitFor({ state: "visible", timeout: request.timeoutMs ?? actionTimeoutMs });
    return all.allTextContents();
  },
  /** Clicks `button` on the notification whose message contains `message`. */
  async "click-notification"(page, request) {
    const toast = page.locator(".notification-toast").filter({ hasText: request.message }).first();
    await toast.waitFor({ state: "visible", timeout: actionTimeoutMs });
    const button = toast.getByRole("button", { name: request.button, exact: true });
    await button.click({ timeout: actionTimeoutMs });
  },
  /** Waits until a notification containing `message` shows; returns its text. */
  async "read-notification"(page, request) {
    const toast = page.locator(".notification-toast").filter({ hasText: request.message }).first();
    await toast.waitFor({ state: "visible", timeout: actionTimeoutMs });
    return toast.textContent();
  },
  /**
   * Waits until a workbench element matching `selector` (containing `text`) is visible, or
   * with `state: "hidden"` until none is.
   */
  async "wait-workbench"(page, request) {
    const all = page.locator(request.selector);
    const wanted =
      request.text === undefined ? all.first() : all.filter({ hasText: request.text }).first();
    await wanted.waitFor({ state: request.state ?? "visible", timeout: actionTimeoutMs });
  },
  /** Saves a screenshot of the whole window as `<name>.png`. */
  async screenshot(page, request, options) {
    const file = path.join(options.screenshotsDir, `${request.name}.png`);
    await page.screenshot({ path: file });
    return file;
  },
};
