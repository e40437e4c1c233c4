/**
 * Characters that change how text looks without being seen: C0 and C1 controls (escape
 * sequences, carriage returns, backspaces), bidirectional overrides and isolates (which
 * reorder what a terminal shows, as in "Trojan Source"), zero-width characters and line
 * separators. The line feed is not among them: callers decide how lines break.
 */
const INVISIBLE =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * Makes every invisible or look-changing character of untrusted text visible as an
 * escape (`\x1b`, `\r`, `\t`, `\u202e`), so what a person approves is exactly what will
 * run: an escape sequence cannot erase part of a command, and a bidi override cannot
 * reorder it. Line feeds stay.
 *
 * @param text - Text from the model (a command, a file's content).
 * @returns The text with those characters spelled out.
 */
export function makeVisible(text: string): string {
  return text.replace(INVISIBLE, (char) => {
    if (char === "\r") return "\\r";
    if (char === "\t") return "\\t";
    const code = char.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * Cuts one line (without line feeds) into pieces of at most `width` characters, so a
 * terminal never hides the end of a line past its right edge.
 *
 * @param line - The line.
 * @param width - The most characters per piece (at least 1).
 * @returns The pieces, at least one.
 */
export function wrapLine(line: string, width: number): string[] {
  const chars = Array.from(line);
  const size = Math.max(1, Math.floor(width));
  if (chars.length <= size) return [line];
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(""));
  return pieces;
}
