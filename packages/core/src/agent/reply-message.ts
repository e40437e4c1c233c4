import type { ChatMessage, ReplyTokens } from "../provider/provider.js";
import { assistantContent } from "../session/assistant-message.js";

/** What may follow a complete call in a reply's tokens: the close tag the stop sequence ate. */
const CLOSE_TAG_TAIL = /^\s*<\/tool>\s*$/;

/**
 * The assistant message the history keeps for a reply, with the reply's exact tokens
 * when the provider reported them. With tokens, the content is what the model really
 * wrote, close tag included, so the next prompt repeats the reply byte for byte and
 * token for token; without them it is {@link assistantContent}.
 *
 * @param text - The reply as the agent used it (cut after a complete call).
 * @param isCall - Whether the reply holds a call.
 * @param tokens - The tokens from the provider's finish part, if any.
 * @returns The message to append to the history.
 */
export function replyMessage(
  text: string,
  isCall: boolean,
  tokens: ReplyTokens | undefined,
): ChatMessage {
  const content = assistantContent(text, isCall);
  if (tokens === undefined) return { role: "assistant", content };
  if (tokens.text === content || tokens.text === text) {
    return { role: "assistant", content: tokens.text, tokens };
  }
  if (
    isCall &&
    tokens.text.startsWith(text) &&
    CLOSE_TAG_TAIL.test(tokens.text.slice(text.length))
  ) {
    return { role: "assistant", content: tokens.text, tokens };
  }
  // The agent cut the reply elsewhere (the model ran on): the tokens no longer match.
  return { role: "assistant", content };
}
