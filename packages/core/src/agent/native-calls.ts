import { jsonrepair } from "jsonrepair";
import { scanJson } from "../protocol/json-scan.js";
import type { ParseResult } from "../protocol/parse-reply.js";
import type {
  ChatMessage,
  NativeToolCall,
  ReplyTokens,
  ToolCallPart,
  ToolDefinition,
} from "../provider/provider.js";
import type { AnyTool } from "../tools/define-tool.js";
import { toolInputJsonSchema } from "../tools/describe-tool.js";
import { replyMessage } from "./reply-message.js";

/** The shape feedback about a native call teaches: no tags, the tool API's own call. */
const NATIVE_HINT =
  "Call exactly one of the tools you were given, with a JSON object of its arguments.";

/** What the model is told when a reply under the native protocol made no call at all. */
export const NATIVE_NUDGE = `Your reply had no tool call. ${NATIVE_HINT} If the task is complete, call done.`;

/**
 * The tools as the provider's native tool API takes them: name, the one-line
 * description and the JSON schema of the arguments (the same schema the text protocol
 * describes in the system prompt).
 *
 * @param tools - The tools on offer, `done` included.
 * @returns One definition per tool, in order.
 */
export function nativeToolDefinitions(tools: readonly AnyTool[]): ToolDefinition[] {
  return tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    parameters: toolInputJsonSchema(tool),
  }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(problem: string): ParseResult {
  return { kind: "invalid", feedback: `${problem}\n${NATIVE_HINT}` };
}

/**
 * Reads a native call's argument text like the text protocol reads a call's JSON: strict
 * JSON first, then a repair, but never the repair of text that was cut (an object or
 * string left open), so a truncated write is never run.
 */
function readArgs(name: string, argsText: string): { args: Record<string, unknown> } | string {
  const text = argsText.trim();
  if (text === "") return { args: {} };
  if (!scanJson(text).balanced) return `The arguments of ${name} are incomplete.`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    try {
      value = JSON.parse(jsonrepair(text));
    } catch {
      return `The arguments of ${name} are not valid JSON.`;
    }
  }
  // Some templates send the arguments as a JSON string that holds the JSON object.
  if (typeof value === "string") return readArgs(name, value);
  if (value === null) return { args: {} };
  if (!isRecord(value)) return `The arguments of ${name} must be a JSON object.`;
  return { args: value };
}

/**
 * Turns the calls a reply made through the provider's tool API into the same outcome
 * `parseReply` gives for a text call, so the agent validates, repairs and answers both
 * alike: the first call wins and the model is told about the others (the text
 * protocol's rule); an unregistered name gets feedback naming the real tools; argument
 * text that is cut or not JSON is `invalid`.
 *
 * @param calls - The reply's `tool-call` parts, in order (at least one).
 * @param toolNames - The names of the tools on offer.
 * @param extraInContent - Whether the reply's text held a call of its own too.
 * @returns A call, or `invalid` with feedback for the model.
 */
export function interpretNativeCalls(
  calls: readonly NativeToolCall[],
  toolNames: readonly string[],
  extraInContent = false,
): ParseResult {
  const first = calls[0];
  if (first === undefined) return { kind: "none" };
  if (!toolNames.includes(first.name)) {
    return invalid(`Unknown tool "${first.name}". Available tools: ${toolNames.join(", ")}.`);
  }
  const read = readArgs(first.name, first.argsText);
  if (typeof read === "string") return invalid(read);
  const total = calls.length + (extraInContent ? 1 : 0);
  if (total > 1) {
    return {
      kind: "call",
      call: { name: first.name, args: read.args },
      warning: `Your reply had ${total} calls; only the first (${first.name}) was run. Send one call per reply.`,
    };
  }
  return { kind: "call", call: { name: first.name, args: read.args } };
}

/**
 * The assistant message the history keeps for a reply: with its native call (only the
 * one the agent answers, since every call in the history needs its own result), else
 * the text-protocol message.
 *
 * @param text - The reply's text.
 * @param isCall - Whether the reply holds a usable call.
 * @param tokens - The reply's tokens from the provider, if any.
 * @param call - The native call the agent answers, if the reply made one.
 * @returns The message to append.
 */
export function assistantTurnMessage(
  text: string,
  isCall: boolean,
  tokens: ReplyTokens | undefined,
  call: NativeToolCall | undefined,
): ChatMessage {
  if (call === undefined) return replyMessage(text, isCall, tokens);
  return {
    role: "assistant",
    content: text,
    toolCalls: [{ id: call.id, name: call.name, argsText: call.argsText }],
  };
}

const RESULT_WRAPPER = /^<tool_result>\n([\s\S]*)\n<\/tool_result>$/;

/**
 * The user message that carries a tool result: as the text protocol writes it, or, for
 * a native call, the bare result JSON marked with the call it answers (a provider with
 * native tools sends it as a `tool` message).
 *
 * @param formatted - The result as `formatToolResult` renders it.
 * @param call - The native call it answers, if any.
 * @returns The message to append.
 */
export function toolResultMessage(
  formatted: string,
  call: NativeToolCall | undefined,
): ChatMessage {
  if (call === undefined) return { role: "user", content: formatted };
  const bare = RESULT_WRAPPER.exec(formatted)?.[1] ?? formatted;
  return { role: "user", content: bare, toolResultOf: { id: call.id, name: call.name } };
}

/**
 * Collects a stream's `tool-call` parts, giving an id to a call that came without one
 * (Ollama sends none), so its result can name it.
 */
export class NativeCallCollector {
  /** The calls so far, in order. */
  readonly calls: NativeToolCall[] = [];

  /**
   * Adds one part.
   *
   * @param part - A `tool-call` part from the provider.
   * @param step - The turn, for made-up ids that stay unique in the run.
   */
  push(part: ToolCallPart, step: number): void {
    const id = part.id !== "" ? part.id : `call_${step}_${this.calls.length}`;
    this.calls.push({ id, name: part.name, argsText: part.argsText });
  }

  /** The call the agent answers (the first), if any. */
  get first(): NativeToolCall | undefined {
    return this.calls[0];
  }
}
