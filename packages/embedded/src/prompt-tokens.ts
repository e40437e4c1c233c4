import type { ChatMessage } from "@gemma-coder/core";
import type {
  ChatHistoryItem,
  ChatWrapper,
  LlamaModel,
  LlamaText,
  LlamaTextValue,
  Token,
} from "node-llama-cpp";

/** What {@link renderPromptTokens} needs from the engine (node-llama-cpp's `LlamaText`). */
export interface PromptEngine {
  /** The loaded model (tokenizer and detokenizer). */
  model: LlamaModel;
  /** The chat format. */
  chatWrapper: ChatWrapper;
  /** node-llama-cpp's `LlamaText`, passed in because the engine is loaded lazily. */
  LlamaText: typeof LlamaText;
  /** The provider id whose tokens may be sent back. */
  provider: string;
  /** The model name whose tokens may be sent back. */
  modelName: string;
}

/** A prompt as tokens, with how many of them replay earlier replies' own tokens. */
export interface PromptTokens {
  /** The whole prompt, beginning-of-sequence token included when the template writes one. */
  tokens: Token[];
  /** The tokens of the prompt that are earlier replies' generated tokens, sent back as they were. */
  replayed: number;
}

const MARK = "\u0000gc-reply-";
const MARK_PATTERN = /\u0000gc-reply-(\d+)\u0000/;

/**
 * Renders a conversation with the model's chat template and tokenizes it, putting each
 * earlier reply back as the tokens it was generated as (when the message carries its
 * own, see `ReplyTokens`). Replies become placeholders in the rendered template, and
 * the text between them is tokenized piece by piece, always the same way, so the
 * prompt for one turn starts with exactly the prompt and reply tokens of the turn before.
 *
 * @param engine - Model, chat format and identity.
 * @param messages - The conversation.
 * @returns The prompt tokens, ending with the opening of the model's turn.
 */
export function renderPromptTokens(
  engine: PromptEngine,
  messages: readonly ChatMessage[],
): PromptTokens {
  const replies = new Map<number, Token[]>();
  const history = messages.map((message, index): ChatHistoryItem => {
    if (message.role === "system") return { type: "system", text: message.content };
    if (message.role === "user") return { type: "user", text: message.content };
    const own = ownTokens(engine, message);
    if (own) {
      replies.set(index, own);
      return { type: "model", response: [`${MARK}${index}\u0000`] };
    }
    return { type: "model", response: [message.content] };
  });
  if (history.at(-1)?.type !== "model") history.push({ type: "model", response: [] });
  const { contextText } = engine.chatWrapper.generateContextState({ chatHistory: history });

  const tokens: Token[] = [];
  let replayed = 0;
  let pending: LlamaTextValue[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const text = engine.LlamaText(...pending);
    const piece = text.tokenize(
      engine.model.tokenizer,
      tokens.length > 0 ? "trimLeadingSpace" : undefined,
    );
    for (const token of piece) tokens.push(token);
    pending = [];
  };
  for (const value of contextText.values) {
    if (typeof value !== "string" || !value.includes(MARK)) {
      pending.push(value);
      continue;
    }
    const parts = value.split(MARK_PATTERN);
    // split() with a capture group alternates text and reply index.
    parts.forEach((part, i) => {
      if (i % 2 === 0) {
        if (part !== "") pending.push(part);
        return;
      }
      flush();
      const own = replies.get(Number(part)) ?? [];
      for (const token of own) tokens.push(token);
      replayed += own.length;
    });
  }
  flush();
  return { tokens, replayed };
}

/**
 * A reply's tokens when they can be sent back: this provider and model made them, every
 * id is in the vocabulary, and they still spell the message's text.
 */
function ownTokens(engine: PromptEngine, message: ChatMessage): Token[] | undefined {
  const own = message.tokens;
  if (!own || own.provider !== engine.provider || own.model !== engine.modelName) return undefined;
  if (own.text !== message.content || own.ids.length === 0) return undefined;
  const size = vocabularySize(engine.model);
  if (!own.ids.every((id) => Number.isInteger(id) && id >= 0 && id < size)) return undefined;
  const ids = own.ids as Token[];
  // A leading space is only kept with a token before it; any ordinary text token will do.
  const spelled = engine.model.detokenize(ids, false, engine.model.tokenize("a"));
  return spelled === own.text ? [...ids] : undefined;
}

function vocabularySize(model: LlamaModel): number {
  return model.fileInfo.metadata?.tokenizer?.ggml?.tokens?.length ?? 0;
}
