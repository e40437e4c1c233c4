import type { ToolResult } from "@gemma-coder/core";
import type { FileLink, HostMessage, ToolCardStatus } from "./protocol.js";

/** The longest title a card shows; the whole call is in the log. */
const MAX_TITLE = 120;
/** The longest result excerpt a card shows. */
const MAX_DETAIL = 600;
/** The most file links one card carries. */
const MAX_LINKS = 5;

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** `src/a.ts:12:` at a line start, as `search` prints its matches. */
const MATCH_LINE = /^([^\s:][^:\n]*):(\d+):/gm;

/**
 * The files a call names, with a line where the call says one: `read_file`'s
 * `start_line`, or for `search` the first matches of its result.
 */
function linksOf(tool: string, args: Record<string, unknown>, result?: ToolResult): FileLink[] {
  if (tool === "search" && result?.ok && typeof result.value === "string") {
    const links: FileLink[] = [];
    for (const match of result.value.matchAll(MATCH_LINE)) {
      if (links.length >= MAX_LINKS) break;
      links.push({ path: match[1] as string, line: Number(match[2]) });
    }
    return links;
  }
  if (typeof args.path !== "string" || args.path === "") return [];
  if (tool === "list_files") return [];
  const line = typeof args.start_line === "number" ? args.start_line : undefined;
  return [line === undefined ? { path: args.path } : { path: args.path, line }];
}

/**
 * The card for a tool call: a one-line title (the command for `run_shell`, the path for
 * file tools, the pattern for `search`) and the files it links to.
 *
 * @param id - The card's id (the run and step).
 * @param tool - The tool's name.
 * @param args - The call's validated arguments.
 * @returns The message that adds the card.
 */
export function toolCallMessage(
  id: string,
  tool: string,
  args: Record<string, unknown>,
): Extract<HostMessage, { type: "tool-call" }> {
  const title =
    typeof args.command === "string"
      ? `$ ${args.command}`
      : typeof args.pattern === "string"
        ? `/${args.pattern}/${typeof args.path === "string" ? ` in ${args.path}` : ""}`
        : typeof args.path === "string"
          ? args.path
          : "";
  return {
    type: "tool-call",
    id,
    tool,
    title: oneLine(title, MAX_TITLE),
    files: linksOf(tool, args),
  };
}

/**
 * The update of a card once its tool returned: ok, error or denied (the person said no),
 * a short excerpt of the result, and for `search` links to its first matches.
 *
 * @param id - The card's id.
 * @param call - The tool's name and arguments.
 * @param result - The tool's result.
 * @param denied - Whether the call was refused at the approval.
 * @returns The message that finishes the card.
 */
export function toolResultMessage(
  id: string,
  call: { tool: string; args: Record<string, unknown> },
  result: ToolResult,
  denied: boolean,
): Extract<HostMessage, { type: "tool-result" }> {
  const status: Exclude<ToolCardStatus, "running"> = denied ? "denied" : result.ok ? "ok" : "error";
  const text = result.ok
    ? typeof result.value === "string"
      ? result.value
      : (JSON.stringify(result.value) ?? "")
    : result.error;
  const detail = text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
  const files = call.tool === "search" ? linksOf(call.tool, call.args, result) : [];
  return { type: "tool-result", id, status, detail, files };
}
