import type { ChatMessage } from "@gemma-coder/core";

/** The chat template families the llama.cpp provider renders itself. */
export type ChatTemplateFamily = "gemma" | "gemma4" | "chatml" | "llama3";

/** A prompt rendered for `/completion`. */
export interface RenderedPrompt {
  /** The raw prompt, ending with the opening of the model's turn. */
  prompt: string;
  /**
   * The same prompt as `/completion` takes it in mixed form: text pieces, and token ids
   * where an earlier reply is sent back as the tokens it was generated as (see
   * {@link RenderOptions.replyTokens}). Equal to `[prompt]` when no reply has tokens.
   */
  parts: (string | number)[];
  /** The family's end-of-turn marker, sent as an extra stop string. */
  endOfTurn: string;
}

/** Options of {@link renderChatPrompt}. */
export interface RenderOptions {
  /**
   * The token ids to send in place of an assistant message's text, or `undefined` to
   * send its text. Called for assistant messages only.
   */
  replyTokens?: (message: ChatMessage) => readonly number[] | undefined;
}

/** Collects prompt text, and token ids where a reply goes back as its own tokens. */
class PromptBuilder {
  private text = "";
  private readonly parts: (string | number)[] = [];
  private all = "";

  constructor(private readonly options: RenderOptions) {}

  add(text: string): void {
    this.text += text;
    this.all += text;
  }

  /** A message body: an assistant reply goes in verbatim, as its tokens when it has them. */
  body(message: ChatMessage, trim: boolean): void {
    if (message.role !== "assistant") {
      this.add(trim ? message.content.trim() : message.content);
      return;
    }
    // The model's reply is never trimmed: re-tokenized differently, it would break the
    // server's prompt cache from that point on.
    const ids = this.options.replyTokens?.(message);
    if (!ids || ids.length === 0) {
      this.add(message.content);
      return;
    }
    if (this.text !== "") this.parts.push(this.text);
    this.text = "";
    for (const id of ids) this.parts.push(id);
    this.all += message.content;
  }

  done(): { prompt: string; parts: (string | number)[] } {
    const parts = this.text === "" ? this.parts : [...this.parts, this.text];
    return { prompt: this.all, parts: parts.length === 0 ? [""] : parts };
  }
}

/**
 * Recognises a chat template by its markers. Jinja is not evaluated: the families the
 * project supports are told apart by the tokens they write.
 *
 * @param template - The Jinja template text (`chat_template` from `/props`).
 * @returns The family, or `undefined` when none matches.
 */
export function detectChatTemplate(template: string | undefined): ChatTemplateFamily | undefined {
  if (!template) return undefined;
  if (template.includes("<|turn>")) return "gemma4";
  if (template.includes("<start_of_turn>")) return "gemma";
  if (template.includes("<|start_header_id|>")) return "llama3";
  if (template.includes("<|im_start|>")) return "chatml";
  return undefined;
}

/**
 * Renders a conversation into a raw prompt for `/completion`, ending with the opening
 * of the model's turn. The beginning-of-sequence token is left out because the server
 * adds it when it tokenizes the prompt.
 *
 * Each message renders on its own, from the messages before it only, so the prompt for
 * one turn is a byte prefix of the prompt for the next (when the conversation only
 * grows): the server's prompt cache then evaluates only the new tokens.
 *
 * - `gemma` (Gemma 2/3): no system role; the system text goes at the top of the first
 *   user turn, followed by a blank line. Later system messages become user turns.
 * - `gemma4`: `<|turn>system|user|model ... <turn|>`, with a native system turn.
 * - `chatml`: `<|im_start|>role ... <|im_end|>`.
 * - `llama3`: `<|start_header_id|>role<|end_header_id|>` blocks ending in `<|eot_id|>`.
 *
 * Gemma and Llama 3 templates trim system and user messages; ChatML does not. The
 * model's own replies are never trimmed or otherwise changed, and go back as their token
 * ids when `options.replyTokens` gives them.
 *
 * @param family - The template family.
 * @param messages - The conversation.
 * @param options - Token ids for earlier replies.
 * @returns The prompt and the family's end-of-turn marker.
 */
export function renderChatPrompt(
  family: ChatTemplateFamily,
  messages: readonly ChatMessage[],
  options: RenderOptions = {},
): RenderedPrompt {
  switch (family) {
    case "gemma":
      return { ...renderGemma(messages, options), endOfTurn: "<end_of_turn>" };
    case "gemma4":
      return {
        ...renderTurns(messages, options, {
          open: (role) => `<|turn>${role === "assistant" ? "model" : role}\n`,
          close: "<turn|>\n",
          trim: true,
          generation: "<|turn>model\n",
        }),
        endOfTurn: "<turn|>",
      };
    case "chatml":
      return {
        ...renderTurns(messages, options, {
          open: (role) => `<|im_start|>${role}\n`,
          close: "<|im_end|>\n",
          trim: false,
          generation: "<|im_start|>assistant\n",
        }),
        endOfTurn: "<|im_end|>",
      };
    case "llama3":
      return {
        ...renderTurns(messages, options, {
          open: (role) => `<|start_header_id|>${role}<|end_header_id|>\n\n`,
          close: "<|eot_id|>",
          trim: true,
          generation: "<|start_header_id|>assistant<|end_header_id|>\n\n",
        }),
        endOfTurn: "<|eot_id|>",
      };
  }
}

function renderTurns(
  messages: readonly ChatMessage[],
  options: RenderOptions,
  style: { open: (role: string) => string; close: string; trim: boolean; generation: string },
): { prompt: string; parts: (string | number)[] } {
  const out = new PromptBuilder(options);
  for (const message of messages) {
    out.add(style.open(message.role));
    out.body(message, style.trim);
    out.add(style.close);
  }
  out.add(style.generation);
  return out.done();
}

function renderGemma(
  messages: readonly ChatMessage[],
  options: RenderOptions,
): { prompt: string; parts: (string | number)[] } {
  const out = new PromptBuilder(options);
  let index = 0;
  let systemPrefix = "";
  if (messages[0]?.role === "system") {
    systemPrefix = `${messages[0].content}\n\n`;
    index = 1;
  }
  if (index === messages.length && systemPrefix) {
    // A lone system message still has to reach the model: it becomes the user turn.
    out.add(`<start_of_turn>user\n${systemPrefix.trim()}<end_of_turn>\n`);
  }
  for (let first = true; index < messages.length; index++, first = false) {
    const message = messages[index]!;
    const role = message.role === "assistant" ? "model" : "user";
    out.add(`<start_of_turn>${role}\n${first ? systemPrefix : ""}`);
    out.body(message, true);
    out.add("<end_of_turn>\n");
  }
  out.add("<start_of_turn>model\n");
  return out.done();
}
