import type { ChatMessage, ToolCallPart, ToolDefinition } from "@gemma-coder/core";
import { isRecord } from "../http/errors.js";

/**
 * The tools in the `tools` field shape that OpenAI-style servers, llama-server and
 * Ollama all take: `{type: "function", function: {name, description, parameters}}`.
 *
 * @param tools - The request's tools.
 * @returns The field's value.
 */
export function functionTools(tools: readonly ToolDefinition[]): Record<string, unknown>[] {
  return tools.map((tool) => ({
    type: "function",
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  }));
}

/**
 * Whether a request needs a backend's tool-aware chat endpoint: it offers tools, or its
 * history holds native calls or their results (which a raw prompt could not render).
 *
 * @param tools - The request's tools.
 * @param messages - The request's messages.
 * @returns `true` when the native tool API is in play.
 */
export function usesNativeTools(
  tools: readonly ToolDefinition[] | undefined,
  messages: readonly ChatMessage[],
): boolean {
  if (tools !== undefined && tools.length > 0) return true;
  return messages.some((message) => message.toolCalls?.length || message.toolResultOf);
}

/**
 * The messages in OpenAI's chat shape: an assistant message's native calls as
 * `tool_calls` (arguments as the JSON text the model wrote), and a call's result as a
 * `tool` message naming its `tool_call_id`.
 *
 * @param messages - The conversation.
 * @returns The `messages` field.
 */
export function openAIMessages(messages: readonly ChatMessage[]): Record<string, unknown>[] {
  return messages.map((message) => {
    if (message.toolResultOf) {
      return { role: "tool", tool_call_id: message.toolResultOf.id, content: message.content };
    }
    if (message.role === "assistant" && message.toolCalls?.length) {
      return {
        role: "assistant",
        content: message.content,
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: "function",
          function: { name: call.name, arguments: call.argsText },
        })),
      };
    }
    return { role: message.role, content: message.content };
  });
}

/** Arguments as the object Ollama wants back; text that is not a JSON object gives `{}`. */
function argsObject(argsText: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(argsText);
    return isRecord(value) ? value : {};
  } catch {
    return {};
  }
}

/**
 * The messages in Ollama's `/api/chat` shape: native calls as `tool_calls` with the
 * arguments as an object (Ollama gives and takes objects), results as `tool` messages
 * with `tool_name`.
 *
 * @param messages - The conversation.
 * @returns The `messages` field.
 */
export function ollamaMessages(messages: readonly ChatMessage[]): Record<string, unknown>[] {
  return messages.map((message) => {
    if (message.toolResultOf) {
      return { role: "tool", content: message.content, tool_name: message.toolResultOf.name };
    }
    if (message.role === "assistant" && message.toolCalls?.length) {
      return {
        role: "assistant",
        content: message.content,
        tool_calls: message.toolCalls.map((call) => ({
          function: { name: call.name, arguments: argsObject(call.argsText) },
        })),
      };
    }
    return { role: message.role, content: message.content };
  });
}

interface PendingCall {
  id: string;
  name: string;
  args: string;
}

/**
 * Assembles tool calls from stream fragments. OpenAI-style streams send each call in
 * pieces keyed by `index`: the first with `id` and `function.name`, the rest with more
 * `function.arguments` text; Ollama sends each call whole, with its arguments as an
 * object. Both go through {@link ToolCallAssembler.push}; {@link ToolCallAssembler.parts}
 * gives the whole calls, in index order, once the stream has ended.
 */
export class ToolCallAssembler {
  private readonly calls = new Map<number, PendingCall>();

  /**
   * Adds the `tool_calls` array of one chunk (a delta or a whole message).
   *
   * @param toolCalls - The array, as the server sent it.
   */
  push(toolCalls: unknown): void {
    if (!Array.isArray(toolCalls)) return;
    toolCalls.forEach((entry, position) => {
      if (!isRecord(entry)) return;
      const fn = isRecord(entry.function) ? entry.function : {};
      // A server that sends no index sends each call whole, in order.
      const index =
        typeof entry.index === "number"
          ? entry.index
          : typeof fn.index === "number"
            ? fn.index
            : this.calls.size + position;
      const call = this.calls.get(index) ?? { id: "", name: "", args: "" };
      this.calls.set(index, call);
      if (typeof entry.id === "string" && entry.id !== "") call.id = entry.id;
      // The name comes once; some servers repeat it in later fragments.
      if (typeof fn.name === "string" && fn.name !== call.name) call.name += fn.name;
      if (typeof fn.arguments === "string") call.args += fn.arguments;
      else if (fn.arguments !== undefined && fn.arguments !== null) {
        call.args = JSON.stringify(fn.arguments);
      }
    });
  }

  /**
   * The assembled calls.
   *
   * @returns One `tool-call` part per call, in index order.
   */
  parts(): ToolCallPart[] {
    return [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, call]) => ({
        type: "tool-call",
        id: call.id,
        name: call.name,
        argsText: call.args,
      }));
  }
}
