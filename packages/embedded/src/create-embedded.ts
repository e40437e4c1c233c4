import { basename } from "node:path";
import {
  type ChatMessage,
  type ChatRequest,
  type DecodingConstraint,
  type FinishReason,
  GemmaCoderError,
  jsonSchemaToGbnf,
  type ModelProvider,
  type ReplyTokens,
  type StreamPart,
  type Usage,
} from "@gemma-coder/core";
import { abortError, untilAborted } from "@gemma-coder/core/internal";
import type {
  ChatHistoryItem,
  Llama,
  LlamaChat,
  LlamaCompletion,
  LlamaContext,
  LlamaContextSequence,
  LlamaGrammar,
  LlamaModel,
  Token,
} from "node-llama-cpp";
import { AsyncQueue } from "./async-queue.js";
import { type DownloadProgressEvent, downloadModel } from "./download-model.js";
import { assertGgufFile } from "./gguf-header.js";
import { type PromptTokens, renderPromptTokens } from "./prompt-tokens.js";
import { listenToEngineLog, sharedLlama } from "./shared-llama.js";
import { StopScanner } from "./stop-scanner.js";

/** What loading the embedded model reports, download included. */
export type EmbeddedProgressEvent =
  | DownloadProgressEvent
  | {
      /** The model file is being read into memory. */
      type: "load-progress";
      /** From 0 to 1. */
      fraction: number;
    }
  | {
      /** The model is loaded and a context is ready. */
      type: "ready";
      /** The model file. */
      path: string;
      /** The context size in tokens. */
      contextSize: number;
      /** The GPU backend in use, or `false` for CPU only. */
      gpu: string | false;
      /** The chat format picked from the model's template (e.g. `"Gemma"`, `"JinjaTemplate"`). */
      chatFormat: string;
    };

/** The engine's log levels passed to {@link EmbeddedOptions.onLog}. */
export type EmbeddedLogLevel = "fatal" | "error" | "warn" | "info" | "log" | "debug";

/** Options of {@link createEmbedded}. */
export interface EmbeddedOptions {
  /**
   * The model: a GGUF path, an `https://` URL, or `hf:<owner>/<repo>/<file>.gguf`
   * (downloaded once into `cacheDir`). See `EMBEDDED_DEFAULT_MODEL`.
   */
  model: string;
  /** Where downloaded models are kept. Default `defaultCacheDir()`. */
  cacheDir?: string | undefined;
  /** The context window in tokens. Default: the model's training context, at most 8,192. */
  contextSize?: number | undefined;
  /** Layers to offload to the GPU: a number, `"max"`, or `"auto"` (default; what fits). */
  gpuLayers?: number | "auto" | "max" | undefined;
  /** The GPU backend: `"auto"` (default), `"cuda"`, `"vulkan"`, `"metal"`, or `false` for CPU only. */
  gpu?: "auto" | "cuda" | "vulkan" | "metal" | false | undefined;
  /** CPU threads for evaluation. Default: the engine's choice (all cores). */
  threads?: number | undefined;
  /** Sampling temperature when a request sets none. Default 0 (greedy). */
  temperature?: number | undefined;
  /** The sampling seed, for reproducible runs with a temperature above 0. */
  seed?: number | undefined;
  /**
   * Keep the full KV cache of sliding-window layers (Gemma), so a turn whose history
   * only grew reuses the cache instead of evaluating the whole prompt again. Costs some
   * memory. Default `true`.
   */
  swaFullCache?: boolean | undefined;
  /**
   * Let models with a thinking mode (Gemma 4) think before answering. Thoughts are not
   * streamed but cost tokens, which a small machine pays dearly for. Default `false`.
   */
  thinking?: boolean | undefined;
  /** Called while the model is downloaded and loaded. */
  onProgress?: ((event: EmbeddedProgressEvent) => void) | undefined;
  /** Receives the engine's log lines. Default: they are dropped (the SDK never prints). */
  onLog?: ((level: EmbeddedLogLevel, message: string) => void) | undefined;
  /** The most detailed log level passed to `onLog`. Default `"warn"`. */
  logLevel?: EmbeddedLogLevel | undefined;
  /** A bearer token for gated Hugging Face downloads. Default `$HF_TOKEN`. */
  token?: string | undefined;
  /** The fetch used for downloads. Default: the global fetch. */
  fetch?: typeof globalThis.fetch | undefined;
}

/** The in-process provider returned by {@link createEmbedded}. */
export interface EmbeddedProvider extends ModelProvider {
  /** Always `"embedded"`. */
  readonly id: "embedded";
  /** The model reference it was created with. */
  readonly model: string;
  /** It enforces grammars and JSON schemas, and counts tokens exactly. */
  readonly capabilities: { grammar: true; jsonSchema: true; exactTokenCount: true };
  /**
   * Downloads (when needed) and loads the model. Called on first use anyway; call it
   * early to show progress or fail fast. Safe to call more than once.
   */
  load(options?: { signal?: AbortSignal }): Promise<void>;
  /** Streams one reply (see {@link ModelProvider.streamChat}). */
  streamChat(request: ChatRequest): AsyncIterable<StreamPart>;
  /** The context size in tokens (loads the model). */
  contextWindow(): Promise<number>;
  /** Counts tokens with the model's tokenizer (loads the model). */
  countTokens(text: string): Promise<number>;
  /** Stops any generation and frees the model, the context and the engine. Idempotent. */
  dispose(): Promise<void>;
}

interface Engine {
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  sequence: LlamaContextSequence;
  chat: LlamaChat;
  completion: LlamaCompletion;
  LlamaText: NodeLlamaCpp["LlamaText"];
  path: string;
  name: string;
  /** Stops routing the engine's log lines to this provider's `onLog`. */
  unlisten: () => void;
}

const PROVIDER = "embedded";
const DEFAULT_CONTEXT = 8192;
const GRAMMAR_CACHE_SIZE = 8;
const DEFAULT_STOP: readonly string[] = ["</tool>"];

type NodeLlamaCpp = typeof import("node-llama-cpp");

async function importEngine(): Promise<NodeLlamaCpp> {
  try {
    return await import("node-llama-cpp");
  } catch (error) {
    throw new GemmaCoderError(
      "The embedded provider needs node-llama-cpp, which could not be loaded. Install it (npm install node-llama-cpp) on a platform with prebuilt binaries (Linux, macOS, Windows on x64/arm64).",
      { code: "unsupported", provider: PROVIDER, cause: error },
    );
  }
}

function toHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  return messages.map((message): ChatHistoryItem => {
    if (message.role === "system") return { type: "system", text: message.content };
    if (message.role === "user") return { type: "user", text: message.content };
    return { type: "model", response: [message.content] };
  });
}

/** The prompt's token count, rendered with the model's chat template as the engine will. */
function countPromptTokens(loaded: Engine, history: ChatHistoryItem[]): number {
  const last = history.at(-1);
  const chatHistory: ChatHistoryItem[] =
    last?.type === "model" ? history : [...history, { type: "model", response: [] }];
  const { contextText } = loaded.chat.chatWrapper.generateContextState({ chatHistory });
  return contextText.tokenize(loaded.model.tokenizer).length;
}

function finishReason(stopReason: string | undefined): FinishReason {
  switch (stopReason) {
    case "customStopTrigger":
      return "stop-sequence";
    case "maxTokens":
      return "length";
    case "abort":
      return "abort";
    default:
      return "stop";
  }
}

/** What one generation reports back to the stream. */
interface TurnResult {
  reason: FinishReason;
  usage: Usage;
  tokens?: ReplyTokens;
  overflow: boolean;
}

/** What a generation needs besides the engine and the request. */
interface TurnSetup {
  stop: readonly string[];
  grammar: LlamaGrammar | undefined;
  queue: AsyncQueue<string>;
  controller: AbortController;
  temperature: number;
  seed: number | undefined;
}

function contextOverflow(promptTokens: number, contextSize: number): GemmaCoderError {
  return new GemmaCoderError(
    `The prompt needs ${promptTokens} tokens but the context window holds ${contextSize}. Use a larger contextSize or a shorter history.`,
    { code: "context-overflow", provider: PROVIDER },
  );
}

/** How many leading tokens two token lists share. */
function sharedPrefix(a: readonly Token[], b: readonly Token[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/**
 * One turn at the token level: the prompt is built as tokens (earlier replies as the
 * tokens they were generated as), the reply's tokens are kept and reported on the finish
 * part, and its text is spelt with the tokens before it, so a leading space survives.
 * The engine keeps the shared start of the sequence and evaluates the rest; that count
 * is taken from the sequence itself, before generation.
 */
function tokenTurn(loaded: Engine, request: ChatRequest, turn: TurnSetup): Promise<TurnResult> {
  const { model, sequence, context } = loaded;
  const prompt: PromptTokens = renderPromptTokens(
    {
      model,
      chatWrapper: loaded.chat.chatWrapper,
      LlamaText: loaded.LlamaText,
      provider: PROVIDER,
      modelName: loaded.name,
    },
    request.messages,
  );
  // The engine puts the beginning-of-sequence token in front itself.
  const bos = model.tokens.bos;
  const prepends = bos !== null && model.tokens.shouldPrependBosToken;
  const input = prepends && prompt.tokens[0] === bos ? prompt.tokens.slice(1) : prompt.tokens;
  const full = prepends && bos !== null ? [bos, ...input] : input;
  const room = context.contextSize - full.length - 1;
  if (room < 1) return Promise.reject(contextOverflow(full.length, context.contextSize));
  // The engine keeps what the sequence shares with the prompt, less the last token,
  // which it evaluates again to sample from.
  const cached = Math.min(sharedPrefix(sequence.contextTokens, full), full.length - 1);
  const scanner = new StopScanner(turn.stop);
  const generated: Token[] = [];
  let partial: Token[] = [];
  const spell = (tokens: Token[]) => {
    partial.push(...tokens);
    const before = [...full.slice(-8), ...generated];
    const text = model.detokenize(partial, false, before);
    // A character split over byte tokens waits for its last byte (at most four).
    if (text.endsWith("\uFFFD") && partial.length < 4) return;
    generated.push(...partial);
    partial = [];
    const safe = scanner.push(text);
    if (safe !== "") turn.queue.push(safe);
    if (scanner.stopped) turn.controller.abort();
  };
  const meter = sequence.tokenMeter;
  const outputBefore = meter.usedOutputTokens;
  const maxTokens = Math.min(request.maxTokens ?? room, room);
  return loaded.completion
    .generateCompletionWithMeta(input, {
      onToken: spell,
      signal: turn.controller.signal,
      stopOnAbortSignal: true,
      temperature: turn.temperature,
      maxTokens,
      disableContextShift: true,
      repeatPenalty: false,
      ...(turn.seed === undefined ? {} : { seed: turn.seed }),
      ...(turn.grammar ? { grammar: turn.grammar } : {}),
    })
    .then((result) => {
      if (partial.length > 0) spell([]);
      const rest = scanner.flush();
      if (rest !== "") turn.queue.push(rest);
      const reason: FinishReason = scanner.stopped
        ? "stop-sequence"
        : finishReason(result.metadata.stopReason);
      const text = model.detokenize(generated, false, full.slice(-8));
      return {
        reason,
        usage: {
          inputTokens: full.length,
          outputTokens: meter.usedOutputTokens - outputBefore,
          evaluatedInputTokens: full.length - cached,
          cachedInputTokens: cached,
        },
        ...(generated.length > 0
          ? { tokens: { provider: PROVIDER, model: loaded.name, ids: generated, text } }
          : {}),
        overflow: false,
      };
    });
}

/**
 * One turn through node-llama-cpp's chat API, for models that think first: it keeps
 * thoughts out of the streamed text, at the price of re-tokenizing the history.
 */
async function chatTurn(
  loaded: Engine,
  request: ChatRequest,
  turn: TurnSetup,
): Promise<TurnResult> {
  const meter = loaded.sequence.tokenMeter;
  const inputBefore = meter.usedInputTokens;
  const outputBefore = meter.usedOutputTokens;
  const history = toHistory(request.messages);
  // Measure the prompt as the engine will render it: a prompt that does not fit is an
  // error here, where the engine would silently drop the oldest messages.
  const promptTokens = countPromptTokens(loaded, history);
  const contextSize = loaded.context.contextSize;
  const room = contextSize - promptTokens - 1;
  if (room < 1) throw contextOverflow(promptTokens, contextSize);
  let overflow = false;
  const result = await loaded.chat.generateResponse(history, {
    onTextChunk: (text: string) => {
      if (text !== "") turn.queue.push(text);
    },
    signal: turn.controller.signal,
    stopOnAbortSignal: true,
    temperature: turn.temperature,
    ...(turn.seed === undefined ? {} : { seed: turn.seed }),
    // Never generate past the end of the context: the engine would shift it.
    maxTokens: Math.min(request.maxTokens ?? room, room),
    ...(turn.grammar ? { grammar: turn.grammar } : {}),
    ...(turn.stop.length > 0 ? { customStopTriggers: [...turn.stop] } : {}),
    repeatPenalty: false,
    contextShift: {
      strategy: () => {
        // A backstop only: the checks above keep the engine from needing a shift.
        overflow = true;
        turn.controller.abort();
        throw new GemmaCoderError("The context window is full.", {
          code: "context-overflow",
          provider: PROVIDER,
        });
      },
    },
  });
  // The meter leaves out the last prompt token, which is evaluated with the first sample.
  const evaluated = Math.min(promptTokens, meter.usedInputTokens - inputBefore + 1);
  return {
    reason: finishReason(result.metadata.stopReason),
    usage: {
      inputTokens: promptTokens,
      outputTokens: meter.usedOutputTokens - outputBefore,
      evaluatedInputTokens: evaluated,
      cachedInputTokens: Math.max(0, promptTokens - evaluated),
    },
    overflow,
  };
}

/** Refuses a request this engine cannot serve: no messages, or native tools it has no API for. */
function assertChatRequest(request: ChatRequest): void {
  if (!request.messages || request.messages.length === 0) {
    throw new GemmaCoderError("streamChat needs at least one message.", {
      code: "invalid-argument",
      provider: PROVIDER,
    });
  }
  // No tool API: refuse tools rather than let the caller believe the model saw them.
  if (request.tools !== undefined && request.tools.length > 0) {
    throw new GemmaCoderError(
      "The in-process engine has no native tool API; use the text protocol (with a grammar) or json.",
      { code: "unsupported", provider: PROVIDER },
    );
  }
}

// long-function: a factory: the engine, the queue and the provider's methods share its closure
/**
 * Creates a provider that runs a GGUF model in this process through llama.cpp
 * (node-llama-cpp, prebuilt binaries, no server and no compile step).
 *
 * - The prompt is rendered with the model's own chat template.
 * - One context sequence is kept between calls, so a turn whose messages only grew
 *   evaluates just the new tokens (reported as `usage.evaluatedInputTokens`, the rest as
 *   `cachedInputTokens`).
 * - `request.stop` (default `["</tool>"]`) ends generation with finish reason
 *   `stop-sequence`; the stop text is not streamed.
 * - `request.constraint` is enforced: a GBNF grammar as is, a JSON schema converted with
 *   `jsonSchemaToGbnf`.
 * - `request.signal` aborts, and leaving the `for await` early stops generation.
 * - A prompt that no longer fits fails with `context-overflow` rather than silently
 *   dropping old messages.
 *
 * Importing this package is cheap: node-llama-cpp is loaded on first use.
 *
 * @param options - The model reference and engine settings.
 * @returns The provider; call `dispose()` when done.
 *
 * @example
 * ```ts
 * const provider = createEmbedded({ model: EMBEDDED_DEFAULT_MODEL, onProgress: console.log });
 * const agent = new Agent({ provider, tools: createTools({ root: process.cwd() }) });
 * try {
 *   await agent.run("Fix the failing test");
 * } finally {
 *   await provider.dispose();
 * }
 * ```
 */
export function createEmbedded(options: EmbeddedOptions): EmbeddedProvider {
  if (!options || typeof options.model !== "string" || options.model.trim() === "") {
    throw new GemmaCoderError("createEmbedded needs a model (a GGUF path, URL or hf: reference).", {
      code: "invalid-argument",
    });
  }
  let loading: Promise<Engine> | undefined;
  let engine: Engine | undefined;
  let disposed = false;
  let lock: Promise<void> = Promise.resolve();
  const active = new Set<AbortController>();
  /** Generations in the engine; disposal waits for these, not for idle consumers. */
  const running = new Set<Promise<unknown>>();
  const grammars = new Map<string, Promise<LlamaGrammar>>();

  const assertUsable = () => {
    if (disposed) {
      throw new GemmaCoderError("This embedded provider was disposed.", {
        code: "invalid-argument",
        provider: PROVIDER,
      });
    }
  };

  // long-function: the engine start-up in order (import, model, context, chat format), cancellable between steps
  const start = async (signal: AbortSignal | undefined): Promise<Engine> => {
    const onProgress = options.onProgress;
    const path = await downloadModel(options.model, {
      cacheDir: options.cacheDir,
      onProgress,
      signal,
      token: options.token,
      fetch: options.fetch,
    });
    await assertGgufFile(path);
    const engineModule = await importEngine();
    const {
      LlamaChat: Chat,
      LlamaCompletion: Completion,
      LlamaText,
      resolveChatWrapper,
    } = engineModule;
    // Registered before the engine starts, so its level is the one the engine logs at.
    const unlisten = options.onLog
      ? listenToEngineLog(options.onLog, options.logLevel ?? "warn")
      : () => {};
    let llama: Llama;
    try {
      llama = await sharedLlama(engineModule, options.gpu ?? "auto");
    } catch (error) {
      unlisten();
      throw new GemmaCoderError(
        `The llama.cpp engine could not start on this machine: ${error instanceof Error ? error.message : String(error)}`,
        { code: "unsupported", provider: PROVIDER, cause: error },
      );
    }
    let model: LlamaModel | undefined;
    try {
      model = await llama.loadModel({
        modelPath: path,
        gpuLayers: options.gpuLayers ?? "auto",
        defaultContextSwaFullCache: options.swaFullCache ?? true,
        onLoadProgress: (fraction: number) => onProgress?.({ type: "load-progress", fraction }),
        ...(signal ? { loadSignal: signal } : {}),
      });
      const contextSize = options.contextSize ?? Math.min(model.trainContextSize, DEFAULT_CONTEXT);
      const context = await model.createContext({
        contextSize,
        sequences: 1,
        ...(options.threads === undefined ? {} : { threads: options.threads }),
        ...(signal ? { createSignal: signal } : {}),
      });
      const sequence = context.getSequence();
      // The chat format comes from the model (its architecture and Jinja template).
      const chatWrapper = resolveChatWrapper(model, {
        customWrapperSettings: { gemma4: { reasoning: options.thinking ?? false } },
      });
      const chat = new Chat({ contextSequence: sequence, chatWrapper });
      const completion = new Completion({ contextSequence: sequence });
      const loaded: Engine = {
        llama,
        model,
        context,
        sequence,
        chat,
        completion,
        LlamaText,
        path,
        name: model.fileInfo.metadata?.general?.name ?? basename(path),
        unlisten,
      };
      onProgress?.({
        type: "ready",
        path,
        contextSize: context.contextSize,
        gpu: llama.gpu,
        chatFormat: chat.chatWrapper.wrapperName,
      });
      return loaded;
    } catch (error) {
      await model?.dispose().catch(() => undefined);
      unlisten();
      if (signal?.aborted) throw abortError(signal);
      if (GemmaCoderError.isInstance(error)) throw error;
      throw new GemmaCoderError(
        `The model ${path} could not be loaded: ${error instanceof Error ? error.message : String(error)}. Is it a valid GGUF file that fits in memory?`,
        { code: "invalid-argument", provider: PROVIDER, cause: error },
      );
    }
  };

  const ensureLoaded = async (signal?: AbortSignal): Promise<Engine> => {
    for (let attempt = 0; ; attempt++) {
      assertUsable();
      if (engine) return engine;
      if (signal?.aborted) throw abortError(signal);
      if (!loading) {
        loading = start(signal).then(
          (loaded) => {
            if (disposed) {
              void disposeEngine(loaded);
              throw new GemmaCoderError("This embedded provider was disposed.", {
                code: "invalid-argument",
                provider: PROVIDER,
              });
            }
            engine = loaded;
            return loaded;
          },
          (error: unknown) => {
            loading = undefined;
            throw error;
          },
        );
      }
      try {
        return await untilAborted(loading, signal);
      } catch (error) {
        // Another caller's abort cancelled the shared load: try again with ours.
        const theirs =
          GemmaCoderError.isInstance(error) && error.code === "aborted" && !signal?.aborted;
        if (!theirs || attempt >= 2) throw error;
      }
    }
  };

  const grammarFor = (loaded: Engine, constraint: DecodingConstraint): Promise<LlamaGrammar> => {
    const text =
      constraint.type === "grammar" ? constraint.grammar : jsonSchemaToGbnf(constraint.schema);
    let grammar = grammars.get(text);
    if (!grammar) {
      grammar = loaded.llama.createGrammar({ grammar: text }).catch((error: unknown) => {
        grammars.delete(text);
        throw new GemmaCoderError(
          `The ${constraint.type === "grammar" ? "GBNF grammar" : "JSON schema"} could not be compiled: ${error instanceof Error ? error.message : String(error)}`,
          { code: "invalid-argument", provider: PROVIDER, cause: error },
        );
      });
      grammars.set(text, grammar);
      if (grammars.size > GRAMMAR_CACHE_SIZE) {
        grammars.delete(grammars.keys().next().value as string);
      }
    }
    return grammar;
  };

  /** One generation at a time: the context sequence is shared between turns. */
  const acquire = async (signal: AbortSignal | undefined): Promise<() => void> => {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = lock;
    lock = previous.then(() => mine);
    try {
      await untilAborted(previous, signal);
    } catch (error) {
      // Give the slot on as soon as the previous holder is done.
      void previous.then(release);
      throw error;
    }
    return release;
  };

  async function* streamChat(request: ChatRequest): AsyncGenerator<StreamPart> {
    const { signal } = request;
    if (signal?.aborted) throw abortError(signal);
    assertChatRequest(request);
    const loaded = await ensureLoaded(signal);
    const grammar = request.constraint ? await grammarFor(loaded, request.constraint) : undefined;
    const release = await acquire(signal);
    const controller = new AbortController();
    active.add(controller);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const queue = new AsyncQueue<string>();
    let generation: Promise<TurnResult> | undefined;
    try {
      assertUsable();
      const turn: TurnSetup = {
        stop: request.stop ?? DEFAULT_STOP,
        grammar,
        queue,
        controller,
        temperature: request.temperature ?? options.temperature ?? 0,
        seed: options.seed,
      };
      generation = options.thinking
        ? chatTurn(loaded, request, turn)
        : tokenTurn(loaded, request, turn);
      const settled = generation.then(
        () => queue.close(),
        (error: unknown) => queue.fail(error),
      );
      running.add(settled);
      void settled.finally(() => running.delete(settled));
      for await (const text of queue) yield { type: "text-delta", text };
      const result = await generation;
      if (signal?.aborted) throw abortError(signal);
      assertUsable();
      if (result.overflow) {
        throw new GemmaCoderError(
          `The reply ran past the context window of ${loaded.context.contextSize} tokens. Use a larger contextSize or a smaller maxTokens.`,
          { code: "context-overflow", provider: PROVIDER },
        );
      }
      yield {
        type: "finish",
        reason: result.reason,
        usage: result.usage,
        model: loaded.name,
        ...(result.tokens ? { tokens: result.tokens } : {}),
      };
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      if (GemmaCoderError.isInstance(error)) throw error;
      if (disposed) {
        throw new GemmaCoderError("The embedded provider was disposed during generation.", {
          code: "aborted",
          provider: PROVIDER,
          cause: error,
        });
      }
      throw new GemmaCoderError(
        `Generation failed: ${error instanceof Error ? error.message : String(error)}`,
        { code: "provider-stream", provider: PROVIDER, cause: error },
      );
    } finally {
      // Reached on normal end, on error, and when the consumer leaves early: stop
      // generating and wait until the engine is idle before the next turn may start.
      controller.abort();
      await generation?.catch(() => undefined);
      signal?.removeEventListener("abort", onAbort);
      active.delete(controller);
      release();
    }
  }

  const disposeEngine = async (loaded: Engine) => {
    loaded.chat.dispose({ disposeSequence: true });
    await loaded.context.dispose();
    await loaded.model.dispose();
    // The engine itself stays: see sharedLlama.
    loaded.unlisten();
  };

  return {
    id: PROVIDER,
    model: options.model,
    capabilities: { grammar: true, jsonSchema: true, exactTokenCount: true },
    async load(loadOptions: { signal?: AbortSignal } = {}) {
      await ensureLoaded(loadOptions.signal);
    },
    streamChat,
    async contextWindow() {
      return (await ensureLoaded()).context.contextSize;
    },
    async countTokens(text: string) {
      return (await ensureLoaded()).model.tokenize(text).length;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      for (const controller of active) controller.abort();
      // A stream whose consumer stopped pulling still holds its turn; only the engine
      // work has to finish before the engine goes away.
      await Promise.all(running);
      grammars.clear();
      const loaded = engine ?? (await loading?.catch(() => undefined));
      engine = undefined;
      if (loaded) await disposeEngine(loaded);
    },
  };
}
