/**
 * The messages between the extension host and the chat view (a webview), sent with
 * `postMessage`. Both sides import this file; the host checks every message from the view
 * with {@link parseViewMessage}, since the view shows model output and is the less trusted
 * side.
 */

/** The run states, as in the status item, the view's `status` element and the test API. */
export type RunState = "idle" | "running" | "waiting-approval" | "done" | "stopped" | "error";

/** How a tool card ended, or that it is still running. */
export type ToolCardStatus = "running" | "ok" | "error" | "denied";

/** A file a tool card links to; clicking it opens the file at the line. */
export interface FileLink {
  /** The path relative to the workspace, as shown. */
  path: string;
  /** The line to reveal, counting from 1. */
  line?: number;
}

/** One session of the workspace in the history list. */
export interface SessionItem {
  /** The session id (what resume takes). */
  id: string;
  /** The task that started it, as one line. */
  task: string;
  /** How its last run ended, in a few words. */
  status: string;
  /** When it last changed, as milliseconds since the epoch. */
  updatedAt: number;
}

/** A message from the host to the view. */
export type HostMessage =
  | { type: "state"; state: RunState; backend: string; readOnly: string | undefined }
  | { type: "run-start"; task: string }
  | { type: "prose"; step: number; text: string }
  | { type: "prose-withdrawn"; step: number }
  | { type: "tool-call"; id: string; tool: string; title: string; files: FileLink[] }
  | {
      type: "tool-result";
      id: string;
      status: Exclude<ToolCardStatus, "running">;
      detail: string;
      files: FileLink[];
    }
  | { type: "note"; text: string }
  | { type: "summary"; text: string; changedFiles: string[] }
  | { type: "error"; message: string; fix: string | undefined }
  | { type: "sessions"; items: SessionItem[] };

/** A message from the view to the host. */
export type ViewMessage =
  | { type: "ready" }
  | { type: "send"; task: string }
  | { type: "stop" }
  | { type: "open-file"; path: string; line: number | undefined }
  | { type: "resume"; sessionId: string; message: string | undefined };

/** The longest task text accepted from the view (a pasted file is fine; a runaway paste is not). */
export const MAX_TASK_CHARS = 100_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function shortString(value: unknown, max: number): value is string {
  return typeof value === "string" && value.length <= max;
}

/**
 * Checks a message the view posted and returns it typed, or `undefined` when it is not
 * one the host understands (a wrong type, a missing field, an oversized value).
 *
 * @param value - What `onDidReceiveMessage` delivered.
 * @returns The message, or `undefined`.
 */
export function parseViewMessage(value: unknown): ViewMessage | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.type) {
    case "ready":
    case "stop":
      return { type: value.type };
    case "send":
      if (!shortString(value.task, MAX_TASK_CHARS) || value.task.trim() === "") return undefined;
      return { type: "send", task: value.task };
    case "open-file": {
      if (!shortString(value.path, 4096) || value.path === "") return undefined;
      const line = value.line;
      const validLine = typeof line === "number" && Number.isInteger(line) && line >= 1;
      if (line !== undefined && !validLine) return undefined;
      return { type: "open-file", path: value.path, line: validLine ? line : undefined };
    }
    case "resume": {
      if (
        !shortString(value.sessionId, 200) ||
        !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value.sessionId)
      )
        return undefined;
      const message = value.message;
      if (message !== undefined && !shortString(message, MAX_TASK_CHARS)) return undefined;
      const text = typeof message === "string" && message.trim() !== "" ? message : undefined;
      return { type: "resume", sessionId: value.sessionId, message: text };
    }
    default:
      return undefined;
  }
}
