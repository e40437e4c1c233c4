/**
 * Gemma 4's native call syntax, `<|tool_call>call:name{key:<|"|>v<|"|>}<tool_call|>`,
 * and the drifts small Gemma models show in the field (see the field corpus): a string
 * delimiter left open before the closing brace or its opening one left out, JSON double
 * quotes or single quotes instead of the delimiter, `key=value`, a stray colon after the
 * start token, parentheses with keyword arguments, and a call closed by the end-of-turn
 * token or not closed at all.
 *
 * Leniency never reaches an unfinished call: text that ends inside a string, object or
 * list is reported as incomplete, so a cut call is never repaired into one that runs.
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
import { GEMMA_QUOTE } from "./tags.js";

/** The close of a native call. */
export const GEMMA_CALL_CLOSE = "<tool_call|>";

/** Tokens that end a Gemma turn; a call they follow is over. */
const TURN_ENDS = [GEMMA_CALL_CLOSE, "<turn|>", "<end_of_turn>", "<eos>", "<|tool_response>"];

/** A Gemma call read from text. */
export interface GemmaCall {
  /** The tool name as written. */
  name: string;
  /** The arguments. */
  args: Record<string, unknown>;
  /** The index in the text just past the call's closing bracket. */
  end: number;
}

/** Options of {@link readGemmaCall}. */
export interface ReadGemmaOptions {
  /**
   * Whether a close token showed where the call ends (`<tool_call|>` found by the
   * caller). Only then may an unclosed string delimiter run to the final brace.
   */
  closedByTag: boolean;
}

/** Whether only turn-ending tokens and whitespace follow `at`. */
function onlyTurnEndsFollow(text: string, at: number): boolean {
  let i = at;
  for (;;) {
    while (i < text.length && /\s/.test(text.charAt(i))) i++;
    if (i >= text.length) return true;
    const token = TURN_ENDS.find((end) => text.startsWith(end, i));
    if (token === undefined) return false;
    i += token.length;
  }
}

/** Whether a string delimiter at `at` plausibly closes a value inside `closer`. */
function closesValue(text: string, at: number, closer: string): boolean {
  const after = /\s*([,}\])]|[A-Za-z_][\w.-]{0,64}\s*[:=]|$)/y;
  after.lastIndex = at;
  const match = after.exec(text);
  if (!match) return TURN_ENDS.some((end) => text.startsWith(end, at));
  const sign = match[1] ?? "";
  if (sign === "" || /^[A-Za-z_]/.test(sign)) return true;
  if (sign === ",") {
    // A comma ends the value when the next member (or the closer) follows it.
    const next = /\s*([A-Za-z_][\w.-]{0,64}\s*[:=]|["'[{]|<\|"\|>|[}\])])/y;
    next.lastIndex = at + match[0].length;
    return closer === "]" || next.test(text);
  }
  return sign === closer;
}

/**
 * Reads a `<|"|>`-delimited string. A delimiter counts as the closing one only where a
 * value can end, because the model also writes the token for a literal `"` inside code.
 */
function readDelimited(cursor: Cursor, closer: string, options: ReadGemmaOptions): string {
  const { text } = cursor;
  const start = cursor.at + GEMMA_QUOTE.length;
  let search = start;
  for (;;) {
    const found = text.indexOf(GEMMA_QUOTE, search);
    if (found === -1) break;
    if (closesValue(text, found + GEMMA_QUOTE.length, closer)) {
      cursor.at = found + GEMMA_QUOTE.length;
      return text.slice(start, found).replaceAll(GEMMA_QUOTE, '"');
    }
    search = found + GEMMA_QUOTE.length;
  }
  // Drift: the closing delimiter is missing. Only a close token proves the call ended;
  // then a short, one-line string runs to the last bracket before it. Code (brackets,
  // newlines) is never guessed at: a lost brace there would change the file.
  const last = text.lastIndexOf(closer);
  if (options.closedByTag && last >= start && onlyTurnEndsFollow(text, last + 1)) {
    const value = text.slice(start, last);
    if (!/[{}()[\]\n]|<\|"\|>/.test(value)) {
      cursor.at = last;
      return value;
    }
  }
  throw new CallSyntaxError("A string in the call is not closed.", true);
}

/** Reads a bare value up to the next comma or closer; a trailing delimiter makes it a string. */
function readBare(cursor: Cursor, closer: string): unknown {
  const { text } = cursor;
  let i = cursor.at;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === "," || ch === closer) break;
    if (text.startsWith(GEMMA_QUOTE, i)) {
      // Drift: the opening delimiter was left out (`query:weather<|"|>}`).
      const value = text.slice(cursor.at, i).trim();
      cursor.at = i + GEMMA_QUOTE.length;
      return value;
    }
    i++;
  }
  if (i >= text.length) throw new CallSyntaxError("The call ends before it is complete.", true);
  const word = text.slice(cursor.at, i);
  if (word.trim() === "") throw new CallSyntaxError("A value in the call is missing.", false);
  cursor.at = i;
  return bareValue(word);
}

function readValue(cursor: Cursor, closer: string, options: ReadGemmaOptions): unknown {
  skipSpace(cursor);
  expectMore(cursor);
  const { text } = cursor;
  if (text.startsWith(GEMMA_QUOTE, cursor.at)) return readDelimited(cursor, closer, options);
  const ch = text.charAt(cursor.at);
  if (ch === '"' || ch === "'") {
    const start = cursor.at;
    const value = readQuoted(cursor, ch);
    // Drift: a quoted value closed by a stray delimiter, its opening one left out
    // (`pattern:':\s*'<|"|>`): the quotes are part of the value.
    if (!text.startsWith(GEMMA_QUOTE, cursor.at)) return value;
    const raw = text.slice(start, cursor.at);
    cursor.at += GEMMA_QUOTE.length;
    return raw;
  }
  if (ch === "{") {
    cursor.at++;
    return nested(cursor, () => readMembers(cursor, "}", options));
  }
  if (ch === "[") {
    cursor.at++;
    return nested(cursor, () => readList(cursor, options));
  }
  return readBare(cursor, closer);
}

function readList(cursor: Cursor, options: ReadGemmaOptions): unknown[] {
  const items: unknown[] = [];
  readSeparated(cursor, "]", () => items.push(readValue(cursor, "]", options)));
  return items;
}

function readKey(cursor: Cursor): string {
  const { text } = cursor;
  if (text.startsWith(GEMMA_QUOTE, cursor.at)) {
    const end = text.indexOf(GEMMA_QUOTE, cursor.at + GEMMA_QUOTE.length);
    if (end === -1) throw new CallSyntaxError("A key in the call is not closed.", true);
    const key = text.slice(cursor.at + GEMMA_QUOTE.length, end);
    cursor.at = end + GEMMA_QUOTE.length;
    return key;
  }
  const ch = text.charAt(cursor.at);
  if (ch === '"' || ch === "'") return readQuoted(cursor, ch);
  const key = readIdentifier(cursor);
  if (key === undefined) {
    throw new CallSyntaxError(`Unexpected "${ch}" where an argument name should be.`, false);
  }
  return key;
}

/** Reads `key:value` members (or `key=value`) up to `closer`, which it consumes. */
function readMembers(
  cursor: Cursor,
  closer: string,
  options: ReadGemmaOptions,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  readSeparated(cursor, closer, () => {
    const key = readKey(cursor);
    skipSpace(cursor);
    expectMore(cursor);
    const sep = cursor.text.charAt(cursor.at);
    if (sep !== ":" && sep !== "=") {
      throw new CallSyntaxError(`Argument "${key}" has no value (write ${key}:value).`, false);
    }
    cursor.at++;
    out[key] = readValue(cursor, closer, options);
  });
  return out;
}

/**
 * Reads one Gemma call from `text`, which starts just after the start token (or where
 * a bare `call:` begins).
 *
 * @param text - The call text.
 * @param options - Whether a close token was seen.
 * @returns The call and where it ends.
 * @throws CallSyntaxError when the text is not a call or ends inside it.
 */
export function readGemmaCall(text: string, options: ReadGemmaOptions): GemmaCall {
  const cursor: Cursor = { text, at: 0 };
  skipSpace(cursor);
  // Drift: a stray colon right after the start token (`<|tool_call>:call:name{...}`).
  if (text.charAt(cursor.at) === ":") cursor.at++;
  skipSpace(cursor);
  const head = /call\s*:\s*/y;
  head.lastIndex = cursor.at;
  if (head.exec(text)) cursor.at = head.lastIndex;
  const name = readIdentifier(cursor);
  if (name === undefined) {
    throw new CallSyntaxError(
      cursor.at >= text.length ? "The call is empty." : "The call has no tool name.",
      cursor.at >= text.length && !options.closedByTag,
    );
  }
  skipSpace(cursor);
  if (cursor.at >= text.length && options.closedByTag) return { name, args: {}, end: cursor.at };
  expectMore(cursor);
  const open = text.charAt(cursor.at);
  let args: Record<string, unknown>;
  if (open === "{") {
    cursor.at++;
    args = readMembers(cursor, "}", options);
  } else if (open === "(") {
    cursor.at++;
    skipSpace(cursor);
    if (text.charAt(cursor.at) === "{") {
      // Drift: JSON (or native) arguments wrapped in parentheses, `call:name({...})`.
      cursor.at++;
      args = readMembers(cursor, "}", options);
      skipSpace(cursor);
      expectMore(cursor);
      if (text.charAt(cursor.at) !== ")") {
        throw new CallSyntaxError("The call's parentheses do not match.", false);
      }
      cursor.at++;
    } else {
      args = readMembers(cursor, ")", options);
    }
  } else {
    throw new CallSyntaxError(
      `The arguments of ${name} must follow in braces: call:${name}{key:value}.`,
      false,
    );
  }
  return { name, args, end: cursor.at };
}

/** A call found where the Gemma fallbacks look, or why the attempt cannot run. */
export type GemmaFallback =
  | { kind: "call"; call: GemmaCall }
  | { kind: "problem"; error: CallSyntaxError }
  | undefined;

const CHANNEL_OPEN = "<|channel>";
const CHANNEL_CLOSE = "<channel|>";
const CALL_OPEN = "<|tool_call>";

/**
 * Finds a Gemma call the tag scanner cannot see: a bare `call:name{...}` that opens the
 * reply or directly follows the thinking channel's close (the start token was lost), or
 * a complete call left at the very end of a thinking channel the model never closed.
 *
 * The unclosed-channel call is read only when the call is the native one (its start and
 * close tokens are special tokens a model writes only to act), closed by `<tool_call|>`,
 * the only call in the channel, and followed by nothing but turn-ending tokens. A call
 * the model wrote and then kept thinking past is musing, never action.
 *
 * @param text - The whole reply.
 * @returns The call, a problem with an attempted call, or undefined when there is none.
 */
export function findGemmaFallbackCall(text: string): GemmaFallback {
  const channel = text.lastIndexOf(CHANNEL_OPEN);
  if (channel !== -1 && text.indexOf(CHANNEL_CLOSE, channel) === -1) {
    const open = text.indexOf(CALL_OPEN, channel);
    if (open === -1 || text.indexOf(CALL_OPEN, open + CALL_OPEN.length) !== -1) return undefined;
    const bodyStart = open + CALL_OPEN.length;
    const close = text.indexOf(GEMMA_CALL_CLOSE, bodyStart);
    if (close === -1 || !onlyTurnEndsFollow(text, close + GEMMA_CALL_CLOSE.length)) {
      return undefined;
    }
    return attempt(text.slice(bodyStart, close), true);
  }
  // The reply without its (closed) thinking channels must start with `call:`.
  const lastClose = text.lastIndexOf(CHANNEL_CLOSE);
  if (lastClose !== -1 && !onlyChannelsBefore(text, lastClose)) return undefined;
  const rest = lastClose === -1 ? text : text.slice(lastClose + CHANNEL_CLOSE.length);
  const start = rest.search(/\S/);
  // Drift: the start token spelled like the close one, `<|tool_call|>call:`.
  const head = /^(?:<\|tool_call\|>)?(?=:?\s*call\s*:)/.exec(rest.slice(start, start + 32));
  if (start === -1 || !head) return undefined;
  const body = rest.slice(start + head[0].length);
  const result = attempt(
    body,
    TURN_ENDS.some((end) => body.includes(end)),
  );
  if (result?.kind === "call" && !onlyTurnEndsFollow(body, result.call.end)) return undefined;
  return result;
}

/** Whether the text before `closeAt` is only whitespace and thinking channels. */
function onlyChannelsBefore(text: string, closeAt: number): boolean {
  let i = 0;
  while (i < closeAt) {
    const open = text.indexOf(CHANNEL_OPEN, i);
    if (open === -1 || text.slice(i, open).trim() !== "") return false;
    const close = text.indexOf(CHANNEL_CLOSE, open);
    if (close === -1) return false;
    i = close + CHANNEL_CLOSE.length;
  }
  return true;
}

function attempt(body: string, closedByTag: boolean): GemmaFallback {
  try {
    return { kind: "call", call: readGemmaCall(body, { closedByTag }) };
  } catch (error) {
    if (error instanceof CallSyntaxError) return { kind: "problem", error };
    throw error;
  }
}
