/**
 * Asks the runner to perform a browser-side action and waits for its answer.
 *
 * @param action - The action's name (type-task, click, read-chat, click-notification,
 *   read-notification, screenshot).
 * @param params - Its parameters.
 * @param timeoutMs - How long to wait for the answer (default 90 s).
 * @returns The action's value.
 */
export function requestAction(
  action: string,
  params?: Record<string, unknown>,
  timeoutMs?: number,
): Promise<unknown>;
