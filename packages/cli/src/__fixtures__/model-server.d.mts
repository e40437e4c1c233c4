/** One scripted reply. */
export interface ScriptedServerReply {
  /** The reply text (cut at the request's stop sequences, as a real server does). */
  text?: string;
  /** Characters per NDJSON line. Default 16. */
  chunkSize?: number;
  /** Milliseconds between lines. Default 0. */
  delayMs?: number;
  /** Milliseconds before the first line. Default 0. */
  firstDelayMs?: number;
  /** Reset the connection after this many lines of text (a stream that breaks mid-reply). */
  breakAfter?: number;
  /** Never send the final line: the request stays open until the client closes it. */
  hang?: boolean;
  /** Answer with this HTTP status and an `{"error"}` body instead. */
  status?: number;
  /** The error text with `status`. */
  error?: string;
  /**
   * Native calls (Ollama `message.tool_calls`, arguments as an object), sent in one line
   * after the text, as Ollama does for a request with `tools`.
   */
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown> }>;
}

export interface ModelServerOptions {
  /** Replies to /api/chat, in order. */
  replies?: Array<string | ScriptedServerReply>;
  /** The models /api/tags lists. Default `["gemma4:e4b"]`. */
  models?: string[];
  /** `llama-cpp` answers only /health. Default: Ollama. */
  kind?: "ollama" | "llama-cpp";
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  /** `Date.now()` when the request arrived. */
  at: number;
  /** The request headers (lower-case names). */
  headers: Record<string, string | string[] | undefined>;
}

export interface ModelServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  readonly chats: number;
  /** Chat requests the client closed before the reply ended. */
  readonly abortedChats: number;
  readonly openChats: number;
  readonly firstRequestAt: number | undefined;
  readonly firstChatAt: number | undefined;
  close(): Promise<void>;
}

export function startModelServer(options?: ModelServerOptions): Promise<ModelServer>;
export function call(name: string, args?: Record<string, unknown>): string;
/** A loopback port with nothing listening on it. */
export function deadPort(): Promise<number>;
