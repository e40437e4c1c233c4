import type { ChatMessage } from "@gemma-coder/core";

/** The chat template families the llama.cpp provider renders itself. */
export type ChatTemplateFamily = "gemma" | "gemma4" | "chatml" | "llama3";

/** A prompt rendered for `/completion`. */
export interface RenderedPrompt {
  /** The raw prompt, ending with the opening of the model's turn. */
  prompt: string;
  /** The family's end-of-turn marker, sent as an extra stop string. */
  endOfTurn: string;
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
 * Gemma and Llama 3 templates trim each message; ChatML does not.
 *
 * @param family - The template family.
 * @param messages - The conversation.
 * @returns The prompt and the family's end-of-turn marker.
 */
export function renderChatPrompt(
  family: ChatTemplateFamily,
  messages: readonly ChatMessage[],
): RenderedPrompt {
  switch (family) {
    case "gemma":
      return { prompt: renderGemma(messages), endOfTurn: "<end_of_turn>" };
    case "gemma4":
      return {
        prompt: renderTurns(messages, {
          open: (role) => `<|turn>${role === "assistant" ? "model" : role}\n`,
          close: "<turn|>\n",
          trim: true,
          generation: "<|turn>model\n",
        }),
        endOfTurn: "<turn|>",
      };
    case "chatml":
      return {
        prompt: renderTurns(messages, {
          open: (role) => `<|im_start|>${role}\n`,
          close: "<|im_end|>\n",
          trim: false,
          generation: "<|im_start|>assistant\n",
        }),
        endOfTurn: "<|im_end|>",
      };
    case "llama3":
      return {
        prompt: renderTurns(messages, {
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
  style: { open: (role: string) => string; close: string; trim: boolean; generation: string },
): string {
  let prompt = "";
  for (const message of messages) {
    const content = style.trim ? message.content.trim() : message.content;
    prompt += style.open(message.role) + content + style.close;
  }
  return prompt + style.generation;
}

function renderGemma(messages: readonly ChatMessage[]): string {
  let prompt = "";
  let index = 0;
  let systemPrefix = "";
  if (messages[0]?.role === "system") {
    systemPrefix = `${messages[0].content}\n\n`;
    index = 1;
  }
  if (index === messages.length && systemPrefix) {
    // A lone system message still has to reach the model: it becomes the user turn.
    prompt += `<start_of_turn>user\n${systemPrefix.trim()}<end_of_turn>\n`;
  }
  for (let first = true; index < messages.length; index++, first = false) {
    const message = messages[index]!;
    const role = message.role === "assistant" ? "model" : "user";
    const prefix = first ? systemPrefix : "";
    prompt += `<start_of_turn>${role}\n${prefix}${message.content.trim()}<end_of_turn>\n`;
  }
  return `${prompt}<start_of_turn>model\n`;
}
