/**
 * A character-level scanner that follows JSON-like nesting (objects, arrays,
 * double- or single-quoted strings with backslash escapes). It is shared by the
 * one-shot parser and the streaming parser so both agree on when a call is complete.
 */
export class JsonScanner {
  /** Current nesting depth of `{`/`[`. */
  depth = 0;
  /** Whether any `{` or `[` has been seen. */
  started = false;
  /** The quote character of the string being scanned, or `""` outside strings. */
  quote = "";
  private escaped = false;

  /**
   * Feeds one character.
   *
   * @returns `true` when this character closed the outermost value.
   */
  push(ch: string): boolean {
    if (this.quote !== "") {
      if (this.escaped) this.escaped = false;
      else if (ch === "\\") this.escaped = true;
      else if (ch === this.quote) this.quote = "";
      return false;
    }
    if (!this.started) {
      // Text before the first bracket (a code fence, Gemma's `call:name`) is not JSON yet.
      if (ch === "{" || ch === "[") {
        this.started = true;
        this.depth = 1;
      }
      return false;
    }
    if (ch === '"' || ch === "'") this.quote = ch;
    else if (ch === "{" || ch === "[") this.depth++;
    else if (ch === "}" || ch === "]") {
      this.depth--;
      return this.depth === 0;
    }
    return false;
  }

  /** Whether the outermost value has been closed. */
  get balanced(): boolean {
    return this.started && this.depth <= 0 && this.quote === "";
  }
}

/** What {@link scanJson} found. */
export interface JsonScan {
  /** Index of the first `{` or `[`, or -1. */
  start: number;
  /** Index just past the bracket that closed the outermost value, or -1 when it never closed. */
  end: number;
  /** Whether the outermost value closed. */
  balanced: boolean;
  /** Whether the text ended inside a string: the surest sign of truncation. */
  inString: boolean;
}

/**
 * Scans text for the first JSON-like value and tells where it starts, where it ends
 * and whether the text was cut off inside it.
 */
export function scanJson(text: string): JsonScan {
  const scanner = new JsonScanner();
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (scanner.push(ch)) return { start, end: i + 1, balanced: true, inString: false };
    if (start === -1 && scanner.started) start = i;
  }
  return { start, end: -1, balanced: false, inString: scanner.quote !== "" };
}
