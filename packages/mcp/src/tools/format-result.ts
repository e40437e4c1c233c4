import { truncateMiddle } from "@gemma-coder/core";

/** The parts of an MCP `tools/call` result this module reads (kept loose: servers vary). */
export interface McpCallResult {
  content?: unknown;
  structuredContent?: unknown;
  isError?: unknown;
  /** The result shape of protocol versions before 2024-11-05. */
  toolResult?: unknown;
}

type Block = Record<string, unknown> & { type?: unknown };

/** The size of base64 data in bytes, without decoding it. */
function base64Bytes(data: unknown): number {
  if (typeof data !== "string") return 0;
  const padding = data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((data.length * 3) / 4) - padding);
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** One content block as text: text as is, binary content described (never inlined). */
function describeBlock(block: Block, maxChars: number): string {
  switch (block.type) {
    case "text":
      return truncateMiddle(String(block.text ?? ""), maxChars);
    case "image":
    case "audio":
      return `[${block.type}: ${str(block.mimeType) ?? "unknown type"}, ${base64Bytes(block.data)} bytes, not shown]`;
    case "resource_link": {
      const what = [str(block.name), str(block.uri), str(block.mimeType)].filter(Boolean);
      const about = str(block.description);
      return `[resource link: ${what.join(" ")}${about ? ` (${about})` : ""}]`;
    }
    case "resource": {
      const resource = (block.resource ?? {}) as Block;
      const uri = str(resource.uri) ?? "unnamed";
      if (typeof resource.text === "string") {
        return `[resource ${uri}]\n${truncateMiddle(resource.text, maxChars)}`;
      }
      return `[resource ${uri}: ${str(resource.mimeType) ?? "binary"}, ${base64Bytes(resource.blob)} bytes, not shown]`;
    }
    default:
      return `[${String(block.type ?? "unknown")} content, not shown]`;
  }
}

/** Whether some text block already carries the structured content (servers should add one). */
function textRepeats(blocks: readonly Block[], structured: unknown): boolean {
  const json = JSON.stringify(structured);
  return blocks.some((block) => {
    if (block.type !== "text" || typeof block.text !== "string") return false;
    try {
      return JSON.stringify(JSON.parse(block.text)) === json;
    } catch {
      return false;
    }
  });
}

/**
 * Turns an MCP tool result into the text the model reads: text blocks as they are,
 * images, audio and binary resources described in one line, embedded text resources
 * with their URI, and the structured content as JSON unless a text block already repeats
 * it. Every piece and the whole are capped at `maxChars` (head and tail kept), so a huge
 * result stays bounded.
 *
 * @param result - The server's result.
 * @param maxChars - The most characters returned.
 * @returns The text, and whether the server flagged the result as an error (`isError`).
 */
export function formatCallResult(
  result: McpCallResult,
  maxChars: number,
): { text: string; isError: boolean } {
  const blocks = (Array.isArray(result.content) ? result.content : []).filter(
    (block): block is Block => block !== null && typeof block === "object",
  );
  const parts = blocks.map((block) => describeBlock(block, maxChars));
  const structured = result.structuredContent;
  if (structured !== undefined && !textRepeats(blocks, structured)) {
    parts.push(truncateMiddle(JSON.stringify(structured), maxChars));
  }
  if (parts.length === 0 && result.toolResult !== undefined) {
    parts.push(truncateMiddle(JSON.stringify(result.toolResult), maxChars));
  }
  const text = parts.join("\n").trim() || "(no output)";
  return { text: truncateMiddle(text, maxChars), isError: result.isError === true };
}
