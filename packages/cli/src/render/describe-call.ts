import type { ToolResult } from "@gemma-coder/core";

/**
 * Removes control characters (escape sequences, carriage returns, ...) from text that
 * came from the model or a command, so it cannot move the cursor, recolour or retitle
 * the terminal, or write to the clipboard; and bidi embeddings, overrides and isolates,
 * so it cannot reorder what is shown ("Trojan Source"). Right-to-left script shows right
 * without them. Newlines and tabs stay, and so do zero-width joiners (emoji, Persian).
 *
 * @param text - Untrusted text.
 * @returns The text without those characters.
 */
export function stripControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, "");
}

function oneLine(text: string, max: number): string {
  const line = stripControls(text.replace(/\s+/g, " ")).trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function lineCount(text: string): number {
  if (text === "") return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

/**
 * A short description of a tool call for people: `write_file src/a.py (12 lines)`,
 * `run_shell $ pytest -q`, `search "TODO" in src`.
 *
 * @param name - The tool.
 * @param args - Its arguments.
 * @param max - The longest description.
 * @returns One line.
 */
export function describeCall(name: string, args: Record<string, unknown>, max = 100): string {
  const str = (key: string) => (typeof args[key] === "string" ? (args[key] as string) : undefined);
  switch (name) {
    case "write_file": {
      const content = str("content") ?? "";
      const lines = lineCount(content);
      return oneLine(
        `write_file ${str("path") ?? "?"} (${lines} ${lines === 1 ? "line" : "lines"})`,
        max,
      );
    }
    case "edit_file": {
      const edits = Array.isArray(args.edits) ? args.edits.length : 0;
      return oneLine(`edit_file ${str("path") ?? "?"}${edits > 1 ? ` (${edits} edits)` : ""}`, max);
    }
    case "read_file": {
      const start = args.start_line;
      const end = args.end_line;
      const range =
        typeof start === "number" ? `:${start}${typeof end === "number" ? `-${end}` : ""}` : "";
      return oneLine(`read_file ${str("path") ?? "?"}${range}`, max);
    }
    case "list_files":
      return oneLine(`list_files ${str("path") ?? "."}`, max);
    case "search":
      return oneLine(
        `search ${JSON.stringify(str("pattern") ?? "")}${str("path") ? ` in ${str("path")}` : ""}${str("glob") ? ` (${str("glob")})` : ""}`,
        max,
      );
    case "run_shell":
      return oneLine(`run_shell $ ${str("command") ?? ""}`, max);
    case "done":
      return "done";
    default: {
      const json = JSON.stringify(args);
      return oneLine(`${name} ${json === "{}" ? "" : json}`, max);
    }
  }
}

/**
 * A short line for a tool's result: the first line of its text (`exit 0 in 812ms`,
 * `Created src/a.py (3 lines, 40 bytes).`), or the line count of a read.
 *
 * @param name - The tool.
 * @param result - What it returned.
 * @param max - The longest line.
 * @returns One line, without the success or failure mark.
 */
export function describeResult(name: string, result: ToolResult, max = 100): string {
  if (!result.ok) return oneLine(result.error, max);
  const value = result.value;
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
  if (name === "read_file" || name === "list_files" || name === "search") {
    const lines = lineCount(text);
    return `${lines} ${lines === 1 ? "line" : "lines"}`;
  }
  return oneLine(text.split("\n")[0] ?? "", max);
}
