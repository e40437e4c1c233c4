import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import type { ChatMessage } from "../provider/provider.js";

const encoder = new TextEncoder();

/**
 * Renders messages the way transcripts hash them: a JSON array of `[role, content]`
 * pairs. Roles and contents are all that reach the model, so two histories with the
 * same rendering make the same request.
 *
 * @param messages - The conversation.
 * @returns The rendered text.
 */
export function renderMessages(messages: readonly ChatMessage[]): string {
  return JSON.stringify(messages.map((message) => [message.role, message.content]));
}

/**
 * SHA-256 of a conversation (see {@link renderMessages}), in lowercase hex. It uses Web
 * Crypto (`globalThis.crypto.subtle`), available in Node 20+, Deno, Bun and browsers.
 *
 * @param messages - The conversation.
 * @returns 64 hex digits.
 * @throws GemmaCoderError with code `unsupported` when the runtime has no Web Crypto.
 */
export async function hashMessages(messages: readonly ChatMessage[]): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new GemmaCoderError("This runtime has no Web Crypto (crypto.subtle) to hash with.", {
      code: "unsupported",
    });
  }
  const digest = await subtle.digest("SHA-256", encoder.encode(renderMessages(messages)));
  let hex = "";
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
