import type { ApprovalMode } from "./approvals.js";

/** The backends the `gemmaCoder.provider` setting names. */
export type ProviderSetting =
  | "auto"
  | "ollama"
  | "llama-cpp"
  | "openai-compatible"
  | "openrouter"
  | "embedded";

/** The `gemmaCoder.*` settings, checked and with defaults filled in. */
export interface ExtensionSettings {
  provider: ProviderSetting;
  /** `undefined`: the backend's default. */
  model: string | undefined;
  /** `undefined`: the backend's default address. */
  baseUrl: string | undefined;
  /** `undefined`: what the backend reports. */
  contextWindow: number | undefined;
  maxSteps: number;
  constrainedDecoding: "auto" | "on" | "off";
  readOnly: boolean;
  approval: ApprovalMode;
}

const PROVIDERS: readonly ProviderSetting[] = [
  "auto",
  "ollama",
  "llama-cpp",
  "openai-compatible",
  "openrouter",
  "embedded",
];

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * Reads the `gemmaCoder.*` settings through a getter (VS Code's
 * `workspace.getConfiguration("gemmaCoder").get`), keeping only valid values: a wrong
 * type or an unknown enum value falls back to the default, and a base URL loses its
 * trailing slash.
 *
 * @param get - Reads one setting by its name without the `gemmaCoder.` prefix.
 * @returns The settings.
 */
export function readSettings(get: (key: string) => unknown): ExtensionSettings {
  return {
    provider: oneOf(get("provider"), PROVIDERS, "auto"),
    model: text(get("model")),
    baseUrl: text(get("baseUrl"))?.replace(/\/+$/, ""),
    contextWindow: positiveInteger(get("contextWindow")),
    maxSteps: positiveInteger(get("maxSteps")) ?? 40,
    constrainedDecoding: oneOf(get("constrainedDecoding"), ["auto", "on", "off"], "auto"),
    readOnly: get("readOnly") === true,
    approval: oneOf(get("approval"), ["ask", "auto-edits"], "ask"),
  };
}

/**
 * Why the agent may only read, or `undefined` when it may change files and run commands:
 * an untrusted workspace, or the `readOnly` setting.
 *
 * @param trusted - `vscode.workspace.isTrusted`.
 * @param settings - The settings.
 * @returns A sentence for the chat view, or `undefined`.
 */
export function readOnlyReason(trusted: boolean, settings: ExtensionSettings): string | undefined {
  if (!trusted) {
    return "Read-only: this workspace is not trusted, so gemma-coder can read and search but not change files or run commands. Trust the workspace to allow changes.";
  }
  if (settings.readOnly) {
    return "Read-only: the gemmaCoder.readOnly setting is on, so gemma-coder can read and search but not change files or run commands.";
  }
  return undefined;
}
