/** A tool call that succeeded. */
export interface ToolSuccess {
  /** Always `true`. */
  ok: true;
  /** What the tool returned. */
  value: unknown;
}

/** A tool call that failed. */
export interface ToolFailure {
  /** Always `false`. */
  ok: false;
  /** A short, actionable message for the model. */
  error: string;
}

/** What a tool call produced, as the model sees it. */
export type ToolResult = ToolSuccess | ToolFailure;

/** Options of {@link formatToolResult}. */
export interface FormatToolResultOptions {
  /** Longest value or error text kept, in characters; the middle of longer text is cut. Default 8,000. */
  maxChars?: number;
  /** A note for the model added beside the result (e.g. a repeated-call warning). */
  note?: string | undefined;
}

/** The default cap on a tool result's text, in characters. */
export const DEFAULT_MAX_RESULT_CHARS = 8_000;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Keeps the head and the tail of a long text and replaces the middle with a marker
 * that says how much was cut. Head and tail matter most in tool output (the command,
 * the error at the end), and the marker tells the model how to read the rest.
 *
 * @param text - The text.
 * @param maxChars - The most characters to keep (the marker is extra).
 * @param hint - Appended to the marker, e.g. `"read a line range to see more"`.
 * @returns The text unchanged when short enough, else head + marker + tail.
 */
export function truncateMiddle(text: string, maxChars: number, hint?: string): string {
  if (text.length <= maxChars) return text;
  let headEnd = Math.ceil(maxChars * 0.6);
  let tailStart = text.length - (maxChars - headEnd);
  // Never split a surrogate pair: a lone half renders as garbage and breaks some tokenizers.
  if (headEnd > 0 && isHighSurrogate(text.charCodeAt(headEnd - 1))) headEnd--;
  if (tailStart < text.length && isHighSurrogate(text.charCodeAt(tailStart - 1))) tailStart++;
  const omitted = tailStart - headEnd;
  const marker = `\n[... ${omitted} characters omitted${hint ? `; ${hint}` : ""} ...]\n`;
  return text.slice(0, headEnd) + marker + text.slice(tailStart);
}

/**
 * Renders a tool result as the user message the model reads next:
 * `<tool_result>{"ok": true, "value": ...}</tool_result>`. Long values and errors are
 * truncated head + tail with a clear marker.
 *
 * @param result - The result or error.
 * @param options - The size cap and an optional note.
 * @returns The message text.
 */
export function formatToolResult(
  result: ToolResult,
  options: FormatToolResultOptions = {},
): string {
  const maxChars = options.maxChars ?? DEFAULT_MAX_RESULT_CHARS;
  let payload: Record<string, unknown>;
  if (result.ok) {
    let value = result.value === undefined ? null : result.value;
    if (typeof value !== "string") {
      const json = JSON.stringify(value) ?? "null";
      // A structured value too big to send whole becomes text, so it can be cut like text.
      if (json.length > maxChars) value = json;
    }
    if (typeof value === "string") value = truncateMiddle(value, maxChars);
    payload = { ok: true, value };
  } else {
    payload = { ok: false, error: truncateMiddle(result.error, maxChars) };
  }
  if (options.note) payload.note = options.note;
  return `<tool_result>\n${JSON.stringify(payload)}\n</tool_result>`;
}
