/**
 * Python-style calls: Gemma 3's ```` ```tool_code ```` fence (`name(...)`,
 * `print(name(...))`, `tool_code = name(...)`, `default_api.name(...)`) and the
 * list form Llama 3.2 and Gemma's documented prompt produce, `[name(key='v')]`.
 * Values are Python literals: single-, double- or triple-quoted strings, numbers,
 * True/False/None, lists, tuples and dicts. Only keyword arguments map to a tool's
 * arguments; a positional one is reported so the model can fix it.
 *
 * A reply counts as a Python call only when the call is the whole reply, or a
 * `tool_code` fence that ends it: prose that merely shows `name(...)` never runs.
 */
import {
  bareValue,
  CallSyntaxError,
  type Cursor,
  expectMore,
  nested,
  readIdentifier,
  readQuoted,
  readSeparated,
  skipSpace,
} from "./call-values.js";

/** A Python-style call read from a reply. */
export interface PythonCall {
  /** The tool name, without a `default_api.` style namespace. */
  name: string;
  /** The keyword arguments. */
  args: Record<string, unknown>;
  /** How many further calls followed it in the same list or fence (ignored). */
  extra: number;
}

/** A Python-style call, a problem with an attempted one, or undefined when there is none. */
export type PythonCallResult =
  | { kind: "call"; call: PythonCall }
  | { kind: "problem"; error: CallSyntaxError }
  | undefined;

/** Namespaces models put in front of the tool name. */
const NAMESPACES = /^(?:default_api|functions|tools|api)\./;

function readPyString(cursor: Cursor): string {
  const { text } = cursor;
  const prefix = /[rRuU]?/y;
  prefix.lastIndex = cursor.at;
  const raw = /[rR]/.test(prefix.exec(text)?.[0] ?? "");
  cursor.at = prefix.lastIndex;
  const ch = text.charAt(cursor.at);
  const triple = text.startsWith(ch.repeat(3), cursor.at) ? ch.repeat(3) : ch;
  if (!raw) return readQuoted(cursor, triple);
  const end = text.indexOf(triple, cursor.at + triple.length);
  if (end === -1) throw new CallSyntaxError("A string in the call is not closed.", true);
  const value = text.slice(cursor.at + triple.length, end);
  cursor.at = end + triple.length;
  return value;
}

function readItems(cursor: Cursor, closer: string): unknown[] {
  const items: unknown[] = [];
  readSeparated(cursor, closer, () => items.push(readPyValue(cursor)));
  return items;
}

function readDict(cursor: Cursor): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  readSeparated(cursor, "}", () => {
    const key = readPyValue(cursor);
    skipSpace(cursor);
    expectMore(cursor);
    if (cursor.text.charAt(cursor.at) !== ":") {
      throw new CallSyntaxError("A dict in the call has a key without a value.", false);
    }
    cursor.at++;
    out[String(key)] = readPyValue(cursor);
  });
  return out;
}

function readPyValue(cursor: Cursor): unknown {
  skipSpace(cursor);
  expectMore(cursor);
  const { text } = cursor;
  const ch = text.charAt(cursor.at);
  if (/["']/.test(ch) || /^[rRuU]["']/.test(text.slice(cursor.at, cursor.at + 2))) {
    return readPyString(cursor);
  }
  if (ch === "[" || ch === "(") {
    cursor.at++;
    return nested(cursor, () => readItems(cursor, ch === "[" ? "]" : ")"));
  }
  if (ch === "{") {
    cursor.at++;
    return nested(cursor, () => readDict(cursor));
  }
  const word = /[^\s,)\]}:]+/y;
  word.lastIndex = cursor.at;
  const found = word.exec(text);
  if (!found) throw new CallSyntaxError(`Unexpected "${ch}" in the call's arguments.`, false);
  cursor.at += found[0].length;
  const value = bareValue(found[0]);
  if (typeof value === "string") {
    throw new CallSyntaxError(
      `"${found[0]}" is not a value: quote strings in the call's arguments.`,
      false,
    );
  }
  return value;
}

/** Reads `name(key=value, ...)` at the cursor. */
function readCall(cursor: Cursor): { name: string; args: Record<string, unknown> } {
  skipSpace(cursor);
  const written = readIdentifier(cursor);
  if (written === undefined) throw new CallSyntaxError("The call has no tool name.", false);
  skipSpace(cursor);
  expectMore(cursor);
  if (cursor.text.charAt(cursor.at) !== "(") {
    throw new CallSyntaxError(`Write the call as ${written}(key=value).`, false);
  }
  cursor.at++;
  const args: Record<string, unknown> = {};
  for (;;) {
    skipSpace(cursor);
    expectMore(cursor);
    const ch = cursor.text.charAt(cursor.at);
    if (ch === ")") {
      cursor.at++;
      return { name: written.replace(NAMESPACES, ""), args };
    }
    if (ch === ",") {
      cursor.at++;
      continue;
    }
    const start = cursor.at;
    const key = readIdentifier(cursor);
    skipSpace(cursor);
    if (key === undefined || !/[=:]/.test(cursor.text.charAt(cursor.at))) {
      cursor.at = start;
      readPyValue(cursor);
      throw new CallSyntaxError(
        `Pass the arguments of ${written} by name, e.g. ${written}(path="a.py").`,
        false,
      );
    }
    cursor.at++;
    args[key] = readPyValue(cursor);
  }
}

/** Reads the expression forms: `[a(...), b(...)]`, `print(a(...))`, `tool_code = a(...)`, `a(...)`. */
function readExpression(text: string): PythonCall {
  const cursor: Cursor = { text, at: 0 };
  skipSpace(cursor);
  const assign = /tool_code\s*=\s*/y;
  assign.lastIndex = cursor.at;
  if (assign.exec(text)) cursor.at = assign.lastIndex;
  let closers = "";
  if (text.charAt(cursor.at) === "[") {
    cursor.at++;
    closers = "]";
  } else if (/print\s*\(/y.test(text.slice(cursor.at))) {
    cursor.at = text.indexOf("(", cursor.at) + 1;
    closers = ")";
  }
  const first = readCall(cursor);
  let extra = 0;
  skipSpace(cursor);
  while (closers === "]" && text.charAt(cursor.at) === ",") {
    cursor.at++;
    readCall(cursor);
    extra++;
    skipSpace(cursor);
  }
  if (closers !== "") {
    expectMore(cursor);
    if (text.charAt(cursor.at) !== closers) {
      throw new CallSyntaxError("The call's brackets do not match.", false);
    }
    cursor.at++;
  }
  // Further statements in a tool_code block are further calls, which are ignored.
  for (skipSpace(cursor); cursor.at < text.length; skipSpace(cursor)) {
    readCall(cursor);
    extra++;
  }
  return { ...first, extra };
}

const TOOL_CODE_FENCE = "```tool_code";

function attempt(text: string): PythonCallResult {
  try {
    return { kind: "call", call: readExpression(text) };
  } catch (error) {
    if (error instanceof CallSyntaxError) return { kind: "problem", error };
    throw error;
  }
}

/**
 * Finds a Python-style call in reply prose (thinking blocks already removed).
 *
 * @param prose - The reply text outside thinking blocks.
 * @param toolNames - The tools on offer: a bare call form is read only for one of them.
 * @returns The call, a problem with an attempted call, or undefined when there is none.
 */
export function findPythonCall(prose: string, toolNames: readonly string[]): PythonCallResult {
  const fence = prose.indexOf(TOOL_CODE_FENCE);
  if (fence !== -1) {
    const bodyStart = prose.indexOf("\n", fence);
    if (bodyStart === -1) {
      return { kind: "problem", error: new CallSyntaxError("The call is empty.", true) };
    }
    const close = prose.indexOf("```", bodyStart);
    // A fence followed by more text is an example in prose, not an action.
    if (close !== -1 && prose.slice(close + 3).trim() !== "") return undefined;
    return attempt(prose.slice(bodyStart + 1, close === -1 ? undefined : close));
  }
  const trimmed = prose.trim();
  const head =
    /^(?:tool_code\s*=\s*|print\s*\(\s*|\[\s*)((?:[A-Za-z_]\w*\.)?[A-Za-z_][\w-]*)\s*\(/.exec(
      trimmed,
    );
  if (!head) return undefined;
  const name = (head[1] ?? "").replace(NAMESPACES, "");
  // `[link(text)]` in prose is not a call; a tool_code assignment or print of one is.
  if (!toolNames.includes(name) && !/^(?:tool_code|print)/.test(trimmed)) return undefined;
  return attempt(trimmed);
}
