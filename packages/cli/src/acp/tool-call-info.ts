import path from "node:path";
import type { ToolCallLocation, ToolKind } from "@agentclientprotocol/sdk";

/** How a tool call is shown in the editor: its kind, a short title and where it acts. */
export interface ToolCallInfo {
  /** The ACP tool kind, which picks the editor's icon and grouping. */
  kind: ToolKind;
  /** A short human title, e.g. `Edit src/app.ts`. */
  title: string;
  /** The files (and lines) the call acts on, so the editor can follow along. */
  locations: ToolCallLocation[];
}

/** The ACP kind of each built-in tool; anything else is `other`. */
const KINDS: Readonly<Record<string, ToolKind>> = {
  read_file: "read",
  list_files: "search",
  search: "search",
  write_file: "edit",
  edit_file: "edit",
  run_shell: "execute",
};

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

function shorten(value: string, max = 80): string {
  const line = value.split("\n")[0] ?? "";
  return line.length > max || value.includes("\n") ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * Describes a tool call for `session/update`: read and search calls, edits and commands
 * get their ACP kind, a title naming the file, pattern or command, and absolute
 * locations (with the first line for a ranged read).
 *
 * @param name - The tool's name.
 * @param args - The validated arguments the model gave.
 * @param root - The session's workspace root, to make paths absolute.
 * @returns The kind, title and locations.
 */
export function describeToolCall(
  name: string,
  args: Record<string, unknown>,
  root: string,
): ToolCallInfo {
  const kind = KINDS[name] ?? "other";
  const file = text(args.path);
  const locations: ToolCallLocation[] = [];
  if (file !== undefined) {
    const line = typeof args.start_line === "number" ? args.start_line : undefined;
    locations.push({ path: path.resolve(root, file), ...(line === undefined ? {} : { line }) });
  }
  let title: string;
  switch (name) {
    case "read_file":
      title = `Read ${file ?? "a file"}`;
      break;
    case "list_files":
      title = `List ${file ?? "."}`;
      break;
    case "search":
      title = `Search for ${shorten(text(args.pattern) ?? text(args.query) ?? "text", 60)}`;
      break;
    case "write_file":
      title = `Write ${file ?? "a file"}`;
      break;
    case "edit_file":
      title = `Edit ${file ?? "a file"}`;
      break;
    case "run_shell":
      title = `Run ${shorten(text(args.command) ?? "a command")}`;
      break;
    default:
      title = name;
  }
  return { kind, title, locations };
}
