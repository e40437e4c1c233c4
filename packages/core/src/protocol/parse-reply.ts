import { jsonrepair } from "jsonrepair";
import type { FinishReason } from "../provider/provider.js";
import { CallSyntaxError } from "./call-values.js";
import { findGemmaFallbackCall, readGemmaCall } from "./gemma-native.js";
import { closeTagAfterValue, flattenedArgs, isFlattenedCall } from "./json-call-shapes.js";
import { scanJson } from "./json-scan.js";
import { findPythonCall } from "./python-call.js";
import { canonicalizeTags } from "./tag-variants.js";
import { CALL_TAGS, GEMMA_CALL_OPEN, THINKING_TAGS } from "./tags.js";

/** A tool call the model asked for. Arguments are not validated yet. */
export interface ToolCall {
  /** The tool name, one of the offered tools. */
  name: string;
  /** The arguments object. */
  args: Record<string, unknown>;
}

/** The outcome of parsing one model reply. */
export type ParseResult =
  | {
      /** A call was found and can be validated and run. */
      kind: "call";
      /** The call. */
      call: ToolCall;
      /** Something the model should be told alongside the result (e.g. extra calls were ignored). */
      warning?: string;
    }
  | {
      /** Prose only: no call was attempted. */
      kind: "none";
    }
  | {
      /** A call was attempted but cannot be trusted. */
      kind: "invalid";
      /** Short text for the model saying what was wrong and the expected shape. */
      feedback: string;
    };

/** Options of {@link parseReply}. */
export interface ParseReplyOptions {
  /** The names of the tools on offer; any other name is refused. */
  toolNames: readonly string[];
  /**
   * Why generation stopped. An unfinished call is invalid whatever the reason; with
   * `"length"` the feedback tells the model it ran out of tokens.
   */
  finishReason?: FinishReason | undefined;
}

/** The call shape the feedback teaches. */
export const CALL_EXAMPLE = '<tool>\n{"name": "TOOL_NAME", "args": {...}}\n</tool>';

const SHAPE_HINT = `Reply with exactly one call in this form:\n${CALL_EXAMPLE}`;

interface Candidate {
  open: string;
  body: string;
  closed: boolean;
}

interface Scan {
  candidates: Candidate[];
  /** Text outside thinking blocks and calls. */
  prose: string;
  thinkingHadCall: boolean;
  unclosedThinking: boolean;
}

function findEarliest(
  text: string,
  from: number,
  tags: ReadonlyArray<readonly [string, string]>,
): { index: number; open: string; close: string } | undefined {
  let best: { index: number; open: string; close: string } | undefined;
  for (const [open, close] of tags) {
    const index = text.indexOf(open, from);
    if (index !== -1 && (best === undefined || index < best.index)) best = { index, open, close };
  }
  return best;
}

const ALL_TAGS = [...CALL_TAGS, ...THINKING_TAGS];
const CALL_OPENERS = new Set(CALL_TAGS.map(([open]) => open));

/** Splits a reply into thinking blocks, call candidates and prose, left to right in one pass. */
function scanReply(text: string): Scan {
  const candidates: Candidate[] = [];
  let prose = "";
  let thinkingHadCall = false;
  let unclosedThinking = false;
  let pos = 0;
  while (pos < text.length) {
    const next = findEarliest(text, pos, ALL_TAGS);
    if (next === undefined) {
      prose += text.slice(pos);
      break;
    }
    prose += text.slice(pos, next.index);
    const start = next.index + next.open.length;
    const isCall = CALL_OPENERS.has(next.open);
    // The first call's JSON decides where it ends: a close tag inside one of its strings is data.
    const end =
      isCall && candidates.length === 0 && next.open !== GEMMA_CALL_OPEN
        ? closeTagAfterValue(text, start, next.close)
        : text.indexOf(next.close, start);
    const inner = end === -1 ? text.slice(start) : text.slice(start, end);
    if (isCall) {
      candidates.push({ open: next.open, body: inner, closed: end !== -1 });
    } else {
      if (findEarliest(inner, 0, CALL_TAGS) !== undefined) thinkingHadCall = true;
      if (end === -1) unclosedThinking = true;
    }
    if (end === -1) break;
    pos = end + next.close.length;
  }
  return { candidates, prose, thinkingHadCall, unclosedThinking };
}

const FENCE = /^\s*```[a-zA-Z0-9_-]*\s*\n?|\n?\s*```\s*$/g;

function stripFences(body: string): string {
  return body.replace(FENCE, "").trim();
}

function parseJsonLoose(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch {
    try {
      return { value: JSON.parse(jsonrepair(text)) };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const ARG_KEYS = ["args", "arguments", "parameters", "input", "params"] as const;
const NAME_KEYS = ["name", "tool", "tool_name", "function"] as const;

/** Accepts the call shapes small models drift into and returns `{ name, args }` or a complaint. */
function normalizeCall(
  value: unknown,
  toolNames: readonly string[],
): { call: ToolCall } | { error: string } {
  if (Array.isArray(value)) {
    if (value.length === 0) return { error: "The call is an empty list." };
    return normalizeCall(value[0], toolNames);
  }
  if (!isRecord(value)) return { error: "The call must be a JSON object." };
  // OpenAI style: {"function": {"name": ..., "arguments": "..."}} or {"type": "function", ...}
  if (isRecord(value.function)) return normalizeCall(value.function, toolNames);

  let name: unknown;
  for (const key of NAME_KEYS) {
    if (typeof value[key] === "string") {
      name = value[key];
      break;
    }
  }
  let args: unknown;
  for (const key of ARG_KEYS) {
    if (key in value) {
      args = value[key];
      break;
    }
  }
  // {"read_file": {"path": "a"}}: the tool name used as the only key.
  const keys = Object.keys(value);
  if (name === undefined && keys.length === 1 && toolNames.includes(keys[0] as string)) {
    name = keys[0];
    args = value[keys[0] as string];
  }
  if (typeof name !== "string" || name === "") {
    return { error: 'The call has no "name".' };
  }
  if (args === undefined) args = flattenedArgs(value);
  if (typeof args === "string") {
    // An args string that was cut (an object or string left open) is not repaired either.
    if (args.trim() !== "" && !scanJson(args).balanced) {
      return { error: `The "args" string of ${name} is incomplete.` };
    }
    const parsed = args.trim() === "" ? { value: {} } : parseJsonLoose(args);
    if ("error" in parsed) return { error: `The "args" string of ${name} is not valid JSON.` };
    args = parsed.value;
  }
  if (args === undefined || args === null) args = {};
  if (!isRecord(args)) return { error: `"args" of ${name} must be a JSON object.` };
  if (!toolNames.includes(name)) {
    return { error: `Unknown tool "${name}". Available tools: ${toolNames.join(", ")}.` };
  }
  return { call: { name, args } };
}

function invalid(problem: string): ParseResult {
  return { kind: "invalid", feedback: `${problem}\n${SHAPE_HINT}` };
}

/**
 * A whole reply that is just a call object (bare or in a code fence), with no tags. A
 * fenced object counts only when the fence ends the reply: prose after it means the
 * model was showing an example ("you could call it like this: ... and then"), not
 * calling.
 */
function untaggedCall(prose: string, toolNames: readonly string[]): ToolCall | undefined {
  const trimmed = prose.trim();
  let candidate = trimmed;
  // A bare object is read as a whole: a fence inside one of its strings is data.
  if (!trimmed.startsWith("{")) {
    const fenced = /```(?:json|JSON)?\s*\n([\s\S]*?)\n?\s*```/.exec(prose);
    if (!fenced || prose.slice(fenced.index + fenced[0].length).trim() !== "") return undefined;
    candidate = fenced[1] ?? "";
  }
  if (!candidate.trim().startsWith("{")) return undefined;
  const scanned = scanJson(candidate);
  if (!scanned.balanced || candidate.slice(scanned.end).trim() !== "") return undefined;
  const parsed = parseJsonLoose(candidate.slice(scanned.start, scanned.end));
  if ("error" in parsed || !isRecord(parsed.value)) return undefined;
  // Only a clear call shape counts: an example object in prose must not run.
  const hasName = typeof parsed.value.name === "string";
  const hasArgs = ARG_KEYS.some((key) => key in (parsed.value as Record<string, unknown>));
  if (!hasName || !(hasArgs || isFlattenedCall(parsed.value, toolNames))) return undefined;
  const normalized = normalizeCall(parsed.value, toolNames);
  return "call" in normalized ? normalized.call : undefined;
}

const INCOMPLETE = Symbol("incomplete");

function incompleteCall(finishReason: FinishReason | undefined): ParseResult {
  return invalid(
    finishReason === "length"
      ? "Your reply hit the token limit before the call was complete, so it was not run. Send a shorter call (e.g. write a large file in parts with edit_file)."
      : "Your call is incomplete (a string or bracket is not closed), so it was not run.",
  );
}

/**
 * The JSON text of a tagged call candidate, or {@link INCOMPLETE} when the call was cut
 * off: an object, array or string left open. Whatever the finish reason and whether or
 * not a close tag follows, such a call is never repaired (jsonrepair would happily close
 * the brackets, and a cut `edit_file` or `run_shell` would run).
 */
function callJson(candidate: Candidate): string | typeof INCOMPLETE | undefined {
  // Gemma's native calls are read by gemma-native.ts (gemmaCandidate), never here.
  const body = stripFences(candidate.body);
  const { start, end, balanced } = scanJson(body);
  if (start === -1) return body;
  if (!balanced) return INCOMPLETE;
  // Parse only the value itself: prose after it (or before it) is not part of the call.
  return body.slice(start, end);
}

/**
 * Parses one model reply under the text protocol. It is pure and does not validate
 * arguments against the tool's schema (the agent loop does that).
 *
 * It survives text around the call, code fences, a missing close tag (eaten by the
 * stop sequence), trailing commas, single quotes, Python literals, raw newlines in
 * strings, `<tool_call>`/`<tools>`/`arguments`/`parameters` aliases, tag case and spacing
 * variants, arguments flattened next to the name, Gemma 4's native call syntax and its field
 * drifts (gemma-native.ts), Python-style calls (python-call.ts), and several calls (the first
 * wins; `warning` says so). A call inside a thinking block is never returned (except a
 * complete native Gemma call ending a channel the model never closed, see docs/protocol.md),
 * and an unregistered tool name is `invalid`. A call that was cut off (an object, array,
 * string or Gemma native call left open) is `invalid` whatever the finish reason, never
 * repaired into something that runs; so is an untagged call in a code fence followed by
 * more prose (an example, not a call).
 *
 * @param reply - The full reply text.
 * @param options - The tool names on offer and the finish reason.
 * @returns A call, `none` for prose, or `invalid` with feedback for the model.
 */
export function parseReply(reply: string, options: ParseReplyOptions): ParseResult {
  const { toolNames, finishReason } = options;
  const text = canonicalizeTags(reply);
  // A reply that is one bare JSON object (the JSON-only protocol) is read as a whole
  // first: tags inside its strings ("<think>" in a file's content) are data, not markup.
  if (text.trimStart().startsWith("{")) {
    const bare = untaggedCall(text, toolNames);
    if (bare) return { kind: "call", call: bare };
  }
  const scan = scanReply(text);
  const first = scan.candidates[0];

  if (first === undefined) {
    const bare = untaggedCall(scan.prose, toolNames);
    if (bare) return { kind: "call", call: bare };
    // A bare object that never closed is a cut call: say so rather than nudge.
    if (scan.prose.trimStart().startsWith("{") && !scanJson(scan.prose).balanced) {
      return incompleteCall(finishReason);
    }
    const drifted = driftedCall(text, scan.prose, options);
    if (drifted) return drifted;
    if (scan.thinkingHadCall) {
      return invalid(
        "Your call was inside a thinking block, so it was not run. Close the thinking block first, then write the call.",
      );
    }
    if (scan.unclosedThinking && finishReason === "length") {
      return invalid(
        "Your reply ran out of tokens inside a thinking block. Think briefly, then call a tool.",
      );
    }
    return { kind: "none" };
  }

  if (first.open === GEMMA_CALL_OPEN) {
    return gemmaCandidate(first, scan.candidates.length - 1, options);
  }
  const jsonText = callJson(first);
  if (jsonText === INCOMPLETE) return incompleteCall(finishReason);
  if (jsonText === undefined || jsonText.trim() === "") {
    return invalid("Your call is empty.");
  }
  const parsed = parseJsonLoose(jsonText);
  if ("error" in parsed) return invalid("Your call is not valid JSON.");
  return callResult(parsed.value, scan.candidates.length - 1, toolNames);
}

/** Normalizes a call value and says when further calls in the reply were ignored. */
function callResult(value: unknown, extra: number, toolNames: readonly string[]): ParseResult {
  const normalized = normalizeCall(value, toolNames);
  if ("error" in normalized) return invalid(normalized.error);
  if (extra > 0) {
    return {
      kind: "call",
      call: normalized.call,
      warning: `Your reply had ${extra + 1} calls; only the first (${normalized.call.name}) was run. Send one call per reply.`,
    };
  }
  return { kind: "call", call: normalized.call };
}

const CUT_BY_LIMIT =
  "Your reply hit the token limit before the call was complete, so it was not run. Send a shorter call (e.g. write a large file in parts with edit_file).";

/** The feedback for a call in a drifted syntax that cannot be read. */
function syntaxProblem(
  error: CallSyntaxError,
  finishReason: FinishReason | undefined,
): ParseResult {
  if (finishReason === "length") return invalid(CUT_BY_LIMIT);
  return invalid(
    error.incomplete
      ? "Your call is incomplete, so it was not run."
      : `${error.message} Your call was not run.`,
  );
}

/** Gemma 4's native call inside `<|tool_call>`, with its field drifts (see gemma-native.ts). */
function gemmaCandidate(first: Candidate, extra: number, options: ParseReplyOptions): ParseResult {
  try {
    const call = readGemmaCall(first.body, { closedByTag: first.closed });
    return callResult({ name: call.name, args: call.args }, extra, options.toolNames);
  } catch (error) {
    if (error instanceof CallSyntaxError) return syntaxProblem(error, options.finishReason);
    throw error;
  }
}

/**
 * Calls in the shapes the field shows without tags: Gemma's bare `call:` or a call left
 * at the end of an unclosed thinking channel, and Python-style calls. None of them is
 * read from a reply cut by the token limit: their end cannot be trusted.
 */
function driftedCall(
  text: string,
  prose: string,
  options: ParseReplyOptions,
): ParseResult | undefined {
  const found = findGemmaFallbackCall(text) ?? findPythonCall(prose, options.toolNames);
  if (found === undefined) return undefined;
  if (found.kind === "problem") return syntaxProblem(found.error, options.finishReason);
  if (options.finishReason === "length") return invalid(CUT_BY_LIMIT);
  const extra = "extra" in found.call ? (found.call.extra as number) : 0;
  return callResult({ name: found.call.name, args: found.call.args }, extra, options.toolNames);
}
