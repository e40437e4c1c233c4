import { abortError, GemmaCoderError } from "../errors/gemma-coder-error.js";
import type {
  ChatMessage,
  ChatRequest,
  FinishReason,
  ModelProvider,
  StreamPart,
  Usage,
} from "../provider/provider.js";

/** One scripted reply, with optional control over how it streams. */
export interface ScriptedReply {
  /** The reply text. */
  text: string;
  /** The finish reason reported at the end. Default `"stop"`. */
  finishReason?: FinishReason;
  /** Usage reported with the finish part. */
  usage?: Usage;
  /** Size of each streamed text delta, in characters. Default: the whole text at once. */
  chunkSize?: number;
  /** Milliseconds to wait before each delta (lets tests abort mid-stream). Default 0. */
  delayMs?: number;
  /** Throw this error instead of (or after `failAfterChars` characters of) the reply. */
  error?: Error;
  /** With `error`: how many characters to stream before throwing. Default 0. */
  failAfterChars?: number;
  /**
   * Calls made through the native tool API, yielded as `tool-call` parts after the text
   * (for a model created with `nativeTools: true`). `args` given as an object is sent
   * as its JSON; a string is sent as it is (to script malformed argument text).
   */
  toolCalls?: ReadonlyArray<{ id?: string; name: string; args: string | Record<string, unknown> }>;
}

/** A script: a list of replies, or a function of the conversation that returns the next one. */
export type Script =
  | ReadonlyArray<string | ScriptedReply>
  | ((
      messages: readonly ChatMessage[],
      turn: number,
    ) => string | ScriptedReply | Promise<string | ScriptedReply>);

/** Options of {@link createScriptedModel}. */
export interface ScriptedModelOptions {
  /** The provider id reported. Default `"scripted"`. */
  id?: string;
  /** The context window reported by `contextWindow()`. */
  contextWindow?: number;
  /** Reports `capabilities.nativeTools`, so an Agent may use the `native` protocol. */
  nativeTools?: boolean;
}

/** A {@link ModelProvider} that replays a script, and records what it was asked. */
export interface ScriptedModel extends ModelProvider {
  /** Every request received, in order. */
  readonly requests: ChatRequest[];
  /** How many deltas consumers actually read before closing each stream. */
  readonly deltasRead: number[];
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/**
 * Creates a model that replays scripted replies, so agent code can be tested
 * deterministically with no model installed. Each reply streams as text deltas
 * followed by a finish part; the request's `signal` is honoured at every delta.
 * When the script runs out, the stream throws a `script-exhausted` error.
 *
 * @param script - The replies, or a function of the conversation.
 * @param options - Id and reported context window.
 * @returns A provider for `new Agent({ provider })`.
 *
 * @example
 * ```ts
 * const model = createScriptedModel([
 *   '<tool>{"name": "done", "args": {"summary": "nothing to do"}}</tool>',
 * ]);
 * const result = await new Agent({ provider: model }).run("check");
 * ```
 */
export function createScriptedModel(
  script: Script,
  options: ScriptedModelOptions = {},
): ScriptedModel {
  const requests: ChatRequest[] = [];
  const deltasRead: number[] = [];
  const next = async (messages: readonly ChatMessage[], turn: number): Promise<ScriptedReply> => {
    let reply: string | ScriptedReply | undefined;
    if (typeof script === "function") reply = await script(messages, turn);
    else reply = script[turn];
    if (reply === undefined) {
      throw new GemmaCoderError(
        `The scripted model has no reply for turn ${turn + 1} (the script has ${turn}).`,
        { code: "script-exhausted", provider: options.id ?? "scripted" },
      );
    }
    return typeof reply === "string" ? { text: reply } : reply;
  };

  return {
    id: options.id ?? "scripted",
    model: "scripted",
    ...(options.nativeTools ? { capabilities: { nativeTools: true } } : {}),
    requests,
    deltasRead,
    async contextWindow() {
      return options.contextWindow;
    },
    async *streamChat(request: ChatRequest): AsyncGenerator<StreamPart> {
      const turn = requests.length;
      requests.push({ ...request, messages: [...request.messages] });
      deltasRead.push(0);
      const { signal } = request;
      if (signal?.aborted) throw abortError(signal);
      const reply = await next(request.messages, turn);
      const limit = reply.error ? (reply.failAfterChars ?? 0) : reply.text.length;
      const text = reply.text.slice(0, limit);
      const size = Math.max(1, reply.chunkSize ?? (text.length || 1));
      for (let i = 0; i < text.length; i += size) {
        if (reply.delayMs) await sleep(reply.delayMs, signal);
        if (signal?.aborted) throw abortError(signal);
        deltasRead[turn] = (deltasRead[turn] ?? 0) + 1;
        yield { type: "text-delta", text: text.slice(i, i + size) };
      }
      if (reply.error) throw reply.error;
      for (const [index, call] of (reply.toolCalls ?? []).entries()) {
        const argsText = typeof call.args === "string" ? call.args : JSON.stringify(call.args);
        yield { type: "tool-call", id: call.id ?? `call_${index}`, name: call.name, argsText };
      }
      yield {
        type: "finish",
        reason: reply.finishReason ?? "stop",
        ...(reply.usage === undefined ? {} : { usage: reply.usage }),
      };
    },
  };
}

/**
 * Builds the text of a well-formed call, for scripts.
 *
 * @param name - The tool name.
 * @param args - The arguments.
 * @returns `<tool>{"name": ..., "args": ...}</tool>`.
 */
export function toolCallText(name: string, args: Record<string, unknown> = {}): string {
  return `<tool>\n${JSON.stringify({ name, args })}\n</tool>`;
}

/**
 * The old name of {@link toolCallText}.
 *
 * @deprecated Use {@link toolCallText}: the name says it returns the call's text, not a
 *   call object. `toolCall` will be removed in the next minor release.
 */
export const toolCall: typeof toolCallText = toolCallText;
