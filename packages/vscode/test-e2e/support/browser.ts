// What a test asks the browser side of the runner to do (see scripts/vscode-test/ui-actions.mjs):
// typing into the chat webview, clicking in it and on notifications, reading it, and
// taking screenshots. Each call waits until the browser side has done it.
import { requestAction } from "../../../../scripts/vscode-test/host/request-action.cjs";

/**
 * Types a task into the chat view's box and presses Enter.
 *
 * @param text - The task.
 */
export async function typeTask(text: string): Promise<void> {
  await requestAction("type-task", { text });
}

/**
 * Clicks an element of the chat view.
 *
 * @param testid - Its `data-testid`.
 * @param options - `where`: extra attribute selectors, e.g. `[data-status="denied"]`;
 *   `last`: the last such element rather than the first.
 */
export async function clickInChat(
  testid: string,
  options: { where?: string; last?: boolean } = {},
): Promise<void> {
  await requestAction("click", { testid, ...options });
}

/**
 * Waits until the chat view shows an element (containing `text` when given) and returns
 * the texts of all elements with that `data-testid` (and `where`).
 *
 * @param testid - The elements' `data-testid`.
 * @param options - `text` to wait for, `where` attribute selectors.
 * @returns Their texts.
 */
export async function readChat(
  testid: string,
  options: { text?: string; where?: string } = {},
): Promise<string[]> {
  return (await requestAction("read-chat", { testid, ...options })) as string[];
}

/**
 * Clicks a button of the notification whose message contains `message`.
 *
 * @param message - Part of the notification's message.
 * @param button - The button's exact label.
 */
export async function clickNotification(message: string, button: string): Promise<void> {
  await requestAction("click-notification", { message, button });
}

/**
 * Waits for a notification containing `message` and returns its text.
 *
 * @param message - Part of the message.
 * @returns The notification's text.
 */
export async function readNotification(message: string): Promise<string> {
  return (await requestAction("read-notification", { message })) as string;
}

/**
 * Waits until an element of the workbench (outside the chat webview) is visible.
 *
 * @param selector - A CSS selector.
 * @param text - Text it must contain.
 */
export async function waitForWorkbench(selector: string, text?: string): Promise<void> {
  await requestAction("wait-workbench", { selector, ...(text === undefined ? {} : { text }) });
}

/**
 * Waits until no element of the workbench matching `selector` is visible.
 *
 * @param selector - A CSS selector.
 */
export async function waitForWorkbenchHidden(selector: string): Promise<void> {
  await requestAction("wait-workbench", { selector, state: "hidden" });
}

/**
 * Saves a screenshot of the window as `<name>.png` among the suite's artifacts.
 *
 * @param name - The file's name without extension.
 * @returns The file's path.
 */
export async function screenshot(name: string): Promise<string> {
  return (await requestAction("screenshot", { name })) as string;
}
