// The extension under test, reached through the real `vscode` API: its test API, its
// settings (user settings, so they also apply in an untrusted workspace, where VS Code
// ignores the workspace's values of the backend settings), and its state.
import * as vscode from "vscode";
import { until } from "./harness.js";

/** The extension's id. */
export const extensionId = "gemma-coder.gemma-coder-vscode";

/** The run states of the contract. */
export type RunState = "idle" | "running" | "waiting-approval" | "done" | "stopped" | "error";

/** The extension's test API (the contract's `GemmaCoderApi`). */
export interface GemmaCoderApi {
  readonly state: RunState;
  onDidChangeState(listener: (state: string) => void): { dispose(): void };
  runTask(task: string): Promise<{
    status: string;
    summary?: string;
    changedFiles: string[];
    error?: string;
  }>;
  lastSessionId(): string | undefined;
}

/**
 * Activates the extension (it may already be) and returns its API.
 *
 * @returns The API.
 */
export async function gemmaCoder(): Promise<GemmaCoderApi> {
  const extension = vscode.extensions.getExtension<GemmaCoderApi>(extensionId);
  if (!extension) throw new Error(`${extensionId} is not installed in this window`);
  return await extension.activate();
}

/**
 * Waits until the extension's state is one of `states`.
 *
 * @param api - The API.
 * @param states - The wanted states.
 * @param timeoutMs - The limit.
 * @returns The state reached.
 */
export function waitForState(
  api: GemmaCoderApi,
  states: RunState[],
  timeoutMs = 90_000,
): Promise<RunState> {
  return until(
    () => (states.includes(api.state) ? api.state : undefined),
    `state ${states.join(" or ")} (now ${api.state})`,
    timeoutMs,
  );
}

/**
 * Sets `gemmaCoder.*` user settings; `undefined` removes one.
 *
 * @param values - Setting names without the `gemmaCoder.` prefix, and their values.
 */
export async function configure(values: Record<string, unknown>): Promise<void> {
  const settings = vscode.workspace.getConfiguration("gemmaCoder");
  for (const [key, value] of Object.entries(values)) {
    await settings.update(key, value, vscode.ConfigurationTarget.Global);
  }
}

/**
 * Points the extension at a loopback Ollama-speaking model server.
 *
 * @param baseUrl - The server's address.
 */
export async function useModelServer(baseUrl: string): Promise<void> {
  await configure({ provider: "ollama", baseUrl, model: "gemma4:e4b" });
}

/** Closes every editor and dismisses notifications, so the next test starts clean. */
export async function closeEverything(): Promise<void> {
  await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  await vscode.commands.executeCommand("notifications.clearAll");
}

/**
 * The tabs showing a proposed change in the diff editor (right side in the
 * `gemma-coder-proposed` scheme).
 *
 * @returns Their labels.
 */
export function proposedDiffTabs(): string[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter(
      (tab) =>
        tab.input instanceof vscode.TabInputTextDiff &&
        tab.input.modified.scheme === "gemma-coder-proposed",
    )
    .map((tab) => tab.label);
}
