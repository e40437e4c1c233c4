import type { ErrorOverride } from "../http/errors.js";

/**
 * Reads Ollama's error sentences, which carry no codes: a model that is not pulled,
 * a model too big for memory.
 *
 * @param message - Ollama's error text.
 * @param model - The model asked for.
 * @returns How to classify it, with a hint for the user.
 */
export function ollamaErrorDetails(message: string, model: string): ErrorOverride {
  if (/not found/i.test(message) && /model|pull/i.test(message)) {
    return {
      code: "model-not-found",
      isRetryable: false,
      hint: `Run \`ollama pull ${model}\` to download it.`,
    };
  }
  if (/requires more system memory|out of memory|insufficient memory/i.test(message)) {
    return {
      code: "provider-http",
      isRetryable: false,
      hint: "Use a smaller model or a smaller numCtx.",
    };
  }
  if (/does not support/i.test(message)) return { code: "unsupported", isRetryable: false };
  return {};
}
