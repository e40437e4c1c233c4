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
