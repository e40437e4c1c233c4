import type { GemmaCoderError } from "../errors/gemma-coder-error.js";

/** One message of a conversation, in the plain-text protocol. */
export interface ChatMessage {
  /** Who wrote it. Tool results travel as `user` messages wrapped in `<tool_result>`. */
  role: "system" | "user" | "assistant";
  /** The message text. */
  content: string;
  /**
   * The tokens an assistant message was generated as, when the provider that wrote it
   * reported them (see {@link ReplyTokens}). A provider sends them back in place of
   * `content` only when they are its own and still spell `content` exactly.
   */
  tokens?: ReplyTokens | undefined;
  /**
   * On an assistant message: the calls it made through the provider's native tool API
   * (the `native` protocol). A provider with {@link ProviderCapabilities.nativeTools}
   * sends them in its own shape (OpenAI `tool_calls`, Ollama `tool_calls`); one without
   * it sends `content` only.
   */
  toolCalls?: readonly NativeToolCall[] | undefined;
  /**
   * On a user message: it carries the result of this native call, and `content` is the
   * result's JSON. A provider with {@link ProviderCapabilities.nativeTools} sends it as
   * a `tool` message (with `tool_call_id` or `tool_name`); one without it sends it as a
   * user message.
   */
  toolResultOf?: NativeToolCallRef | undefined;
}

/** Names a native tool call a result answers. */
export interface NativeToolCallRef {
  /** The call's id, as the provider reported it (or made one up when the backend has none). */
  id: string;
  /** The tool's name. */
  name: string;
}

/** A tool call made through a provider's native tool API, as kept in the history. */
export interface NativeToolCall extends NativeToolCallRef {
  /**
   * The arguments as JSON text, exactly as the backend sent them when it sent a string
   * (OpenAI-style APIs), or `JSON.stringify` of the object it sent (Ollama). Kept as text
   * so a malformed argument string reaches the agent's repair and feedback unchanged.
   */
  argsText: string;
}

/** A tool offered through a provider's native tool API (the `native` protocol). */
export interface ToolDefinition {
  /** The tool's name. */
  name: string;
  /** One line saying what it does. */
  description: string;
  /** The JSON schema of its arguments object. */
  parameters: Record<string, unknown>;
}

/**
 * A reply's tokens exactly as the backend generated them. Re-tokenizing a reply's text
 * can split it differently from how the model sampled it (`<`,`t`,`oo`,`l`,`>` against
 * `<tool>`), which breaks the backend's prompt cache from that point on. A provider that
 * takes token ids in a prompt (llama.cpp server, the in-process engine) reports them on
 * its finish part; the agent keeps them on the assistant message, and the provider sends
 * them back unchanged on the next turn, so each prompt starts with the previous one.
 */
export interface ReplyTokens {
  /** The id of the provider that generated them (`ModelProvider.id`). */
  provider: string;
  /** The model whose vocabulary the ids belong to, when known. */
  model?: string | undefined;
  /** The token ids, in order, a stop sequence that ended the reply included. */
  ids: readonly number[];
  /** The text the ids spell: the streamed text plus a stop sequence the stream held back. */
  text: string;
}

/**
 * Why a model stopped generating.
 *
 * - `stop`: the model ended its turn (end-of-sequence).
 * - `stop-sequence`: a stop sequence such as `</tool>` matched, or the caller closed the
 *   stream because a complete call had arrived.
 * - `length`: the token limit cut the reply off.
 * - `error`: the backend ended the reply for a reason it reports as an error (e.g. a
 *   content filter). Failures mid-stream are thrown as {@link GemmaCoderError}, not reported here.
 * - `abort`: the caller aborted.
 */
export type FinishReason = "stop" | "stop-sequence" | "length" | "error" | "abort";

/** Token counts for one model call, as far as the backend reports them. */
export interface Usage {
  /** Prompt tokens (all of them, cached or not). */
  inputTokens?: number;
  /** Generated tokens. */
  outputTokens?: number;
  /** Prompt tokens served from the KV cache rather than evaluated. */
  cachedInputTokens?: number;
  /** Prompt tokens the backend actually evaluated for this call. */
  evaluatedInputTokens?: number;
}

/** A chunk of generated text. */
export interface TextDeltaPart {
  /** Discriminator. */
  type: "text-delta";
  /** The new text. */
  text: string;
}

/** The last part of every stream. */
export interface FinishPart {
  /** Discriminator. */
  type: "finish";
  /** Why generation stopped. */
  reason: FinishReason;
  /** Token counts, when the backend reports them. */
  usage?: Usage;
  /** The model that actually answered (after any fallback). */
  model?: string;
  /** The reply's exact tokens, from providers that can take them back (see {@link ReplyTokens}). */
  tokens?: ReplyTokens;
}

/**
 * One tool call from the provider's native tool API, assembled: a provider that streams
 * a call in fragments (OpenAI-style `delta.tool_calls`, by `index`) yields it once, whole,
 * before the finish part. Only requests with `tools` get these parts.
 */
export interface ToolCallPart extends NativeToolCall {
  /** Discriminator. */
  type: "tool-call";
}

/** A provider-specific notice (a fallback model answered, a retry happened, ...). */
export interface NoticePart {
  /** Discriminator. */
  type: "notice";
  /** A short machine-readable kind, e.g. `"retry"` or `"model-fallback"`. */
  kind: string;
  /** A sentence for humans. */
  message: string;
  /** Extra data for the kind. */
  data?: Record<string, unknown>;
}

/** What a provider's stream yields. */
export type StreamPart = TextDeltaPart | ToolCallPart | FinishPart | NoticePart;

/** A decoding constraint a backend may enforce. */
export type DecodingConstraint =
  | {
      /** A GBNF grammar (llama.cpp). */
      type: "grammar";
      /** The grammar text. */
      grammar: string;
    }
  | {
      /** A JSON schema the whole reply must match (Ollama `format`, llama.cpp `json_schema`). */
      type: "json-schema";
      /** The schema. */
      schema: Record<string, unknown>;
    };

/** One model call. */
export interface ChatRequest {
  /** The conversation so far, system prompt first. */
  messages: readonly ChatMessage[];
  /** Stop sequences. The agent sends `["</tool>"]`. */
  stop?: readonly string[];
  /** Upper bound on generated tokens. */
  maxTokens?: number;
  /** Sampling temperature. */
  temperature?: number;
  /** A decoding constraint, for providers whose {@link ProviderCapabilities} allow it. */
  constraint?: DecodingConstraint;
  /**
   * Tools offered through the backend's native tool API, for providers whose
   * {@link ProviderCapabilities} have `nativeTools`. A provider without it throws
   * `unsupported` rather than drop them. The agent sends them with the `native` protocol.
   */
  tools?: readonly ToolDefinition[];
  /** Cancels the call at any point. Breaking out of the stream also cancels it. */
  signal?: AbortSignal;
}

/** What a provider can do beyond streaming text. */
export interface ProviderCapabilities {
  /** Enforces GBNF grammars. */
  grammar?: boolean;
  /** Enforces a JSON schema on the whole reply. */
  jsonSchema?: boolean;
  /** Counts tokens exactly through {@link ModelProvider.countTokens}. */
  exactTokenCount?: boolean;
  /**
   * Takes `tools` on a request and reports the model's calls as `tool-call` parts; sends
   * `toolCalls` and `toolResultOf` messages in the backend's own shape. Needed for the
   * agent's `native` protocol.
   */
  nativeTools?: boolean;
}

/**
 * A model backend. Implementations stream text deltas (and, with `tools`, `tool-call`
 * parts) and end with exactly one `finish` part; errors are thrown as {@link GemmaCoderError} with a provider code.
 * Returning early from the iterator (a `break` in `for await`) must cancel the
 * request, so the backend stops generating.
 */
export interface ModelProvider {
  /** A short id such as `"ollama"`. */
  readonly id: string;
  /** The model name, when there is one. */
  readonly model?: string;
  /** What the backend can enforce. */
  readonly capabilities?: ProviderCapabilities;
  /** Streams one reply. */
  streamChat(request: ChatRequest): AsyncIterable<StreamPart>;
  /** The model's context window in tokens, when the backend can tell. */
  contextWindow?(options?: { signal?: AbortSignal }): Promise<number | undefined>;
  /** Counts the tokens of a text with the model's own tokenizer. */
  countTokens?(text: string, options?: { signal?: AbortSignal }): Promise<number>;
  /** Releases resources (sockets, a loaded model). */
  dispose?(): Promise<void>;
}
