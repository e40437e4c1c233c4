/** A model a server offers, as returned by `listModels()`. */
export interface ModelInfo {
  /** The id to pass as `model`. */
  id: string;
  /** The context length the server reports for it, when it does. */
  contextLength?: number;
  /** The server's own record, unchanged. */
  raw: unknown;
}

/** The answer of a `health()` check. It never throws: failures are described. */
export interface HealthStatus {
  /** `true` when the server can answer requests now. */
  ok: boolean;
  /**
   * `ok`; `loading` (the server is up but still loading the model: wait and retry);
   * `unreachable` (no connection); `error` (it answered with an error).
   */
  status: "ok" | "loading" | "unreachable" | "error";
  /** A sentence for humans. */
  message: string;
  /** The server version, when it says. */
  version?: string;
  /** The underlying error, when not ok. */
  error?: unknown;
}
