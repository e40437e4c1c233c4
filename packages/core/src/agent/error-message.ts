import { GemmaCoderError } from "../errors/gemma-coder-error.js";

/**
 * The message of anything thrown, for a sentence the user or the model reads.
 *
 * @param error - What was thrown.
 * @returns Its message, else its name, else its string form.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * A provider failure as a typed error: a GemmaCoderError as it is, anything else wrapped
 * as `provider-stream` with the cause attached.
 *
 * @param error - What the provider's stream threw.
 * @param provider - The provider's id.
 * @returns The typed error.
 */
export function providerError(error: unknown, provider: string): GemmaCoderError {
  if (GemmaCoderError.isInstance(error)) return error;
  return new GemmaCoderError(`The model provider failed: ${errorMessage(error)}`, {
    code: "provider-stream",
    provider,
    cause: error,
  });
}
