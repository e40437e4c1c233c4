/**
 * A cursor over call text and the value readers that Gemma 4's native syntax and
 * Python-style calls share: quoted strings with backslash escapes and bare literals.
 * Every reader moves the cursor forward only, so a whole call is read in linear time.
 */

/** Where reading stopped, and why, when a call cannot be read. */
export class CallSyntaxError extends Error {
  /**
   * @param message - What was wrong, in words the model can act on.
   * @param incomplete - Whether the text ended inside the call (it was cut, not malformed).
   */
  constructor(
    message: string,
    readonly incomplete: boolean,
  ) {
    super(message);
    this.name = "CallSyntaxError";
  }
}

/** A read position in a text. */
export interface Cursor {
  /** The text being read. */
  readonly text: string;
  /** The index of the next character to read. */
  at: number;
  /** How many lists and objects are open, to refuse absurd nesting before the stack does. */
  depth?: number;
}

const MAX_DEPTH = 64;

/** Runs `read` one nesting level deeper, refusing nesting deeper than any real call needs. */
export function nested<T>(cursor: Cursor, read: () => T): T {
  const depth = (cursor.depth ?? 0) + 1;
  if (depth > MAX_DEPTH) throw new CallSyntaxError("The call is nested too deeply.", false);
  cursor.depth = depth;
  const value = read();
  cursor.depth = depth - 1;
  return value;
}

/** Moves the cursor past spaces, tabs and newlines. */
export function skipSpace(cursor: Cursor): void {
  while (cursor.at < cursor.text.length && /\s/.test(cursor.text.charAt(cursor.at))) cursor.at++;
}

/** Throws the "text ended here" error when the cursor is at the end. */
export function expectMore(cursor: Cursor): void {
  if (cursor.at >= cursor.text.length) {
    throw new CallSyntaxError("The call ends before it is complete.", true);
  }
}

/**
 * Reads a comma-separated sequence up to `closer`, which it consumes: `readEntry` is
 * called with the cursor on each entry, and stray or trailing commas are skipped. Lists,
 * dicts and argument lists of both call syntaxes share this loop.
 */
export function readSeparated(cursor: Cursor, closer: string, readEntry: () => void): void {
  for (;;) {
    skipSpace(cursor);
    expectMore(cursor);
    const ch = cursor.text.charAt(cursor.at);
    if (ch === closer) {
      cursor.at++;
      return;
    }
    if (ch === ",") cursor.at++;
    else readEntry();
  }
}

const ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  b: "\b",
  f: "\f",
  "0": "\0",
  "/": "/",
  "\\": "\\",
  '"': '"',
  "'": "'",
};

/**
 * Reads a string quoted with `quote` (the cursor sits on the opening quote), decoding
 * backslash escapes. Raw newlines are kept: small models write them inside strings.
 */
export function readQuoted(cursor: Cursor, quote: string): string {
  const { text } = cursor;
  let out = "";
  let run = cursor.at + quote.length; // start of the plain run not yet copied to `out`
  let i = run;
  while (i < text.length) {
    if (text.startsWith(quote, i)) {
      cursor.at = i + quote.length;
      return out + text.slice(run, i);
    }
    if (text.charCodeAt(i) !== 92 /* backslash */ || i + 1 >= text.length) {
      i++;
      continue;
    }
    out += text.slice(run, i);
    const next = text.charAt(i + 1);
    if (next === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
      out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
    } else {
      out += ESCAPES[next] ?? `\\${next}`;
      i += 2;
    }
    run = i;
  }
  throw new CallSyntaxError("A string in the call is not closed.", true);
}

const LITERALS: Record<string, unknown> = {
  true: true,
  false: false,
  null: null,
  True: true,
  False: false,
  None: null,
};

/** Reads a bare literal (number, boolean, null) or returns the word itself as a string. */
export function bareValue(word: string): unknown {
  const trimmed = word.trim();
  if (trimmed in LITERALS) return LITERALS[trimmed];
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(trimmed)) return Number(trimmed);
  return trimmed;
}

/** Reads an identifier (a key or a tool name) at the cursor, or returns undefined. */
export function readIdentifier(cursor: Cursor): string | undefined {
  const match = /[A-Za-z_$][\w$.-]*/y;
  match.lastIndex = cursor.at;
  const found = match.exec(cursor.text);
  if (!found) return undefined;
  cursor.at += found[0].length;
  return found[0];
}
