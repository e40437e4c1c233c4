import { type ChatRequest, GemmaCoderError, type ProviderCapabilities } from "@gemma-coder/core";

/**
 * Rejects a decoding constraint the backend cannot enforce, and tools offered to a
 * backend without a native tool API, before any request, so the caller never believes
 * an unenforced grammar was applied or that the model saw tools it never saw.
 *
 * @param provider - Provider id.
 * @param request - The request.
 * @param capabilities - What the backend enforces.
 */
export function assertConstraintSupported(
  provider: string,
  request: ChatRequest,
  capabilities: ProviderCapabilities,
): void {
  if (request.tools !== undefined && request.tools.length > 0 && !capabilities.nativeTools) {
    throw new GemmaCoderError(`${provider}: this backend has no native tool API.`, {
      code: "unsupported",
      provider,
    });
  }
  const constraint = request.constraint;
  if (!constraint) return;
  if (constraint.type === "grammar" && !capabilities.grammar) {
    throw new GemmaCoderError(`${provider}: this backend cannot enforce a GBNF grammar.`, {
      code: "unsupported",
      provider,
    });
  }
  if (constraint.type === "json-schema" && !capabilities.jsonSchema) {
    throw new GemmaCoderError(`${provider}: this backend cannot enforce a JSON schema.`, {
      code: "unsupported",
      provider,
    });
  }
}
