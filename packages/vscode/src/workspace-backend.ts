import { type ExtensionSettings, readSettings } from "./settings.js";

/** A setting's values at each level, as `WorkspaceConfiguration.inspect` gives them. */
export interface SettingLevels {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/**
 * The settings that choose where requests go (and with OpenRouter, what the stored key
 * pays for). A workspace's `.vscode/settings.json` is written by whoever wrote the
 * repository, so its values for these apply only once the person said yes.
 */
export const BACKEND_KEYS = ["provider", "baseUrl", "model"] as const;

/** The person's answer to the question about a workspace's backend settings. */
export type WorkspaceBackendAnswer = "use" | "ignore";

/** Where the answer for this workspace is kept (VS Code's workspace state). */
export interface WorkspaceBackendMemory {
  /** The values answered about (as JSON) and the answer, if the person was asked before. */
  recall(): { values: string; use: boolean } | undefined;
  /** Keeps an answer. */
  remember(answer: { values: string; use: boolean }): Promise<void>;
}

/** What {@link settingsWithConsent} reads and asks through. */
export interface ConsentOptions {
  /** The merged value of a setting (`getConfiguration("gemmaCoder").get`). */
  get: (key: string) => unknown;
  /** A setting's value at each level (`getConfiguration("gemmaCoder").inspect`). */
  inspect: (key: string) => SettingLevels | undefined;
  /** The remembered answer. */
  memory: WorkspaceBackendMemory;
  /** Asks the question; `undefined` when it was dismissed (nothing is remembered then). */
  ask: (question: string) => Promise<WorkspaceBackendAnswer | undefined>;
}

function workspaceLevel(levels: SettingLevels | undefined): unknown {
  return levels?.workspaceFolderValue ?? levels?.workspaceValue;
}

/** The backend settings the workspace sets, with their values. */
function plantedBackend(inspect: ConsentOptions["inspect"]): Array<[string, string]> {
  const planted: Array<[string, string]> = [];
  for (const key of BACKEND_KEYS) {
    const value = workspaceLevel(inspect(key));
    if (typeof value === "string" && value.trim() !== "") planted.push([key, value]);
  }
  return planted;
}

/** The question: exactly which values the workspace sets, and what saying yes means. */
export function workspaceBackendQuestion(planted: ReadonlyArray<[string, string]>): string {
  const values = planted.map(([key, value]) => `gemmaCoder.${key} = ${JSON.stringify(value)}`);
  return `This workspace's settings choose gemma-coder's model backend: ${values.join(", ")}. Your tasks and the files gemma-coder reads would be sent there. Use them? (“Ignore” uses your own settings.)`;
}

/**
 * The settings for a run, with the workspace's backend settings (provider, base URL,
 * model) applied only when the person allowed them for exactly these values; asks when
 * they are new. Otherwise the user's own values (or the defaults) stand. `readOnly` is
 * on when any level sets it, so a workspace cannot turn off the user's read-only mode.
 *
 * @param options - The settings' getters, the memory and the question.
 * @returns The settings to run with.
 */
export async function settingsWithConsent(options: ConsentOptions): Promise<ExtensionSettings> {
  const planted = plantedBackend(options.inspect);
  let use = planted.length === 0;
  if (!use) {
    const values = JSON.stringify(planted);
    const before = options.memory.recall();
    if (before?.values === values) use = before.use;
    else {
      const answer = await options.ask(workspaceBackendQuestion(planted));
      if (answer !== undefined) await options.memory.remember({ values, use: answer === "use" });
      use = answer === "use";
    }
  }
  const get = readOnlyAnyLevel(options.get, options.inspect);
  return readSettings((key) => {
    if (!use && (BACKEND_KEYS as readonly string[]).includes(key)) {
      return options.inspect(key)?.globalValue;
    }
    return get(key);
  });
}

/**
 * A settings getter whose `readOnly` is on when any level (user, workspace, folder) sets
 * it: a workspace's `false` does not override the user's `true`.
 *
 * @param get - The merged getter.
 * @param inspect - The per-level getter.
 * @returns The getter.
 */
export function readOnlyAnyLevel(
  get: ConsentOptions["get"],
  inspect: ConsentOptions["inspect"],
): (key: string) => unknown {
  return (key) => {
    if (key !== "readOnly") return get(key);
    const levels = inspect(key);
    return (
      get(key) === true ||
      levels?.globalValue === true ||
      levels?.workspaceValue === true ||
      levels?.workspaceFolderValue === true
    );
  };
}

/**
 * Records that the person chose the workspace's current backend settings themselves
 * (“Pick Provider and Model” writes its pick to the workspace settings).
 *
 * @param inspect - The per-level getter.
 * @param memory - Where the answer is kept.
 */
export async function rememberOwnPick(
  inspect: ConsentOptions["inspect"],
  memory: WorkspaceBackendMemory,
): Promise<void> {
  await memory.remember({ values: JSON.stringify(plantedBackend(inspect)), use: true });
}
