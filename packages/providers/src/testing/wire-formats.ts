/** How a scripted reply ends. */
export interface ScriptFinish {
  /** Why the server stopped. */
  reason: "eos" | "length" | "stop-word";
  /** The stop word, for `stop-word`. */
  stopWord?: string;
  /** Prompt tokens. */
  promptTokens?: number;
  /** Prompt tokens evaluated (the rest came from the cache). */
  evaluatedTokens?: number;
  /** Generated tokens. */
  outputTokens?: number;
}

/** One backend's streaming wire format, written byte for byte as the real server does. */
export interface WireFormat {
  /** A short name for test titles. */
  name: string;
  /** `Content-Type` of a streaming 200. */
  contentType: string;
  /** The frames of a successful stream (each is written as one chunk). */
  frames(pieces: readonly string[], finish: ScriptFinish): string[];
  /** A frame reporting an error inside a 200 stream. */
  errorFrame(message: string): string;
  /** A frame that is not valid for the format. */
  malformedFrame: string;
  /** The JSON body of an HTTP error response. */
  errorBody(status: number, message: string): string;
}

const created = "2025-02-20T10:00:00.000000Z";

/** Ollama `/api/chat` NDJSON. */
export const ollamaWire: WireFormat = {
  name: "ollama",
  contentType: "application/x-ndjson",
  frames(pieces, finish) {
    const model = "gemma4:e4b";
    const frames = pieces.map(
      (text) =>
        `${JSON.stringify({ model, created_at: created, message: { role: "assistant", content: text }, done: false })}\n`,
    );
    frames.push(
      `${JSON.stringify({
        model,
        created_at: created,
        message: { role: "assistant", content: "" },
        done_reason: finish.reason === "length" ? "length" : "stop",
        done: true,
        total_duration: 4883583458,
        load_duration: 1334875,
        prompt_eval_count: finish.promptTokens ?? 26,
        prompt_eval_duration: 342546000,
        eval_count: finish.outputTokens ?? pieces.length,
        eval_duration: 4535599000,
      })}\n`,
    );
    return frames;
  },
  errorFrame: (message) => `${JSON.stringify({ error: message })}\n`,
  malformedFrame: '{"model":"gemma4:e4b","message":{"role":"assistant","content":"x"\n',
  errorBody: (_status, message) => JSON.stringify({ error: message }),
};

/** OpenRouter's chat-completions SSE, with its keep-alive comments. */
export const openRouterWire: WireFormat = {
  name: "openrouter",
  contentType: "text/event-stream",
  frames(pieces, finish) {
    const model = "google/gemma-4-26b-a4b-it:free";
    const base = {
      id: "gen-1740000000-abcdef",
      provider: "Google AI Studio",
      model,
      object: "chat.completion.chunk",
      created: 1740000000,
    };
    const frames = [": OPENROUTER PROCESSING\n\n"];
    for (const text of pieces) {
      frames.push(
        `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: text }, finish_reason: null, native_finish_reason: null, logprobs: null }] })}\n\n`,
      );
    }
    const reason = finish.reason === "length" ? "length" : "stop";
    frames.push(
      `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: reason, native_finish_reason: reason.toUpperCase(), logprobs: null }] })}\n\n`,
    );
    const prompt = finish.promptTokens ?? 26;
    frames.push(
      `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null, native_finish_reason: null, logprobs: null }], usage: { prompt_tokens: prompt, completion_tokens: finish.outputTokens ?? pieces.length, total_tokens: prompt + (finish.outputTokens ?? pieces.length), prompt_tokens_details: { cached_tokens: prompt - (finish.evaluatedTokens ?? prompt) } } })}\n\n`,
    );
    frames.push("data: [DONE]\n\n");
    return frames;
  },
  errorFrame: (message) =>
    `data: ${JSON.stringify({ id: "gen-1740000000-abcdef", object: "chat.completion.chunk", created: 1740000000, model: "google/gemma-4-26b-a4b-it:free", provider: "Google AI Studio", error: { code: 502, message }, choices: [{ index: 0, delta: { content: "" }, finish_reason: "error" }] })}\n\n`,
  malformedFrame: 'data: {"choices":[{"delta":{"content":"x"\n\n',
  errorBody: (status, message) =>
    JSON.stringify({ error: { code: status, message, metadata: {} } }),
};

/** llama-server `/completion` SSE (no `[DONE]`; the last event has `stop: true`). */
export const llamaCompletionWire: WireFormat = {
  name: "llama-cpp",
  contentType: "text/event-stream",
  frames(pieces, finish) {
    const evaluatedPrompt = finish.promptTokens ?? 37;
    const frames = pieces.map(
      (text, index) =>
        `data: ${JSON.stringify({ index: 0, content: text, tokens: [100 + index], stop: false, id_slot: -1, tokens_predicted: index + 1, tokens_evaluated: evaluatedPrompt })}\n\n`,
    );
    const stopType =
      finish.reason === "length" ? "limit" : finish.reason === "stop-word" ? "word" : "eos";
    frames.push(
      `data: ${JSON.stringify({
        index: 0,
        content: "",
        tokens: [],
        id_slot: 0,
        stop: true,
        model: "gpt-3.5-turbo",
        tokens_predicted: finish.outputTokens ?? pieces.length,
        tokens_evaluated: evaluatedPrompt,
        has_new_line: false,
        truncated: false,
        stop_type: stopType,
        stopping_word: finish.reason === "stop-word" ? (finish.stopWord ?? "</tool>") : "",
        tokens_cached: evaluatedPrompt + pieces.length - 1,
        timings: {
          prompt_n: finish.evaluatedTokens ?? evaluatedPrompt,
          prompt_ms: 1.1,
          predicted_n: finish.outputTokens ?? pieces.length,
          predicted_ms: 9.0,
        },
      })}\n\n`,
    );
    return frames;
  },
  errorFrame: (message) =>
    `data: ${JSON.stringify({ error: { code: 500, message, type: "server_error" } })}\n\n`,
  malformedFrame: 'data: {"index":0,"content":"x",\n\n',
  errorBody: (status, message) =>
    JSON.stringify({
      error: { code: status, message, type: status === 503 ? "unavailable_error" : "server_error" },
    }),
};
