/**
 * Shortens text to at most about `maxChars` characters by keeping its head and tail
 * and putting a marker in between, so both the start of a file or log and its end
 * (where errors usually are) stay visible to the model.
 *
 * @param text - The text to shorten.
 * @param maxChars - The budget for the kept text, marker excluded.
 * @param hint - Advice appended inside the marker, e.g. how to read the rest.
 * @returns The text unchanged when it fits, else head + marker + tail.
 */
export function truncateMiddle(text: string, maxChars: number, hint?: string): string {
  if (text.length <= maxChars) return text;
  const budget = Math.max(0, Math.floor(maxChars));
  const headLength = Math.floor(budget * 0.4);
  const tailLength = budget - headLength;
  const omitted = text.length - headLength - tailLength;
  const head = cutAtLineEnd(text.slice(0, headLength));
  const tail = text.slice(text.length - tailLength);
  return `${head}\n${omissionMarker(omitted + (headLength - head.length), "characters", hint)}\n${tail}`;
}

/**
 * The marker that stands for left-out text.
 *
 * @param count - How much was left out.
 * @param unit - What `count` counts.
 * @param hint - Optional advice for the model.
 * @returns For example `[... 1,234 characters omitted; use start_line to read more ...]`.
 */
export function omissionMarker(count: number, unit: string, hint?: string): string {
  return `[... ${count} ${unit} omitted${hint ? `; ${hint}` : ""} ...]`;
}

function cutAtLineEnd(head: string): string {
  // Ending the head on a line boundary keeps a half line from reading as real content.
  const newline = head.lastIndexOf("\n");
  return newline >= head.length / 2 ? head.slice(0, newline) : head;
}

/**
 * Caps one line, for search hits and numbered file lines, so a minified file cannot
 * fill the model's context with a single line.
 *
 * @param line - The line.
 * @param maxChars - The longest line kept whole.
 * @returns The line, or its start and a note saying how much was cut.
 */
export function capLine(line: string, maxChars: number): string {
  if (line.length <= maxChars) return line;
  return `${line.slice(0, maxChars)} [... ${line.length - maxChars} more characters]`;
}

const ANSI =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/**
 * Makes terminal output readable as plain text: drops ANSI escape sequences and keeps
 * only what a carriage-return progress bar would finally show on each line.
 *
 * @param text - Raw output of a command.
 * @returns The cleaned text.
 */
export function cleanTerminalOutput(text: string): string {
  const plain = text.replace(ANSI, "");
  if (!plain.includes("\r")) return plain;
  return plain
    .split("\n")
    .map((line) => {
      const body = line.endsWith("\r") ? line.slice(0, -1) : line;
      const last = body.lastIndexOf("\r");
      return last === -1 ? body : body.slice(last + 1);
    })
    .join("\n");
}
