/**
 * The parts of `@gemma-coder/core` that load no other module: the error type, the token
 * estimate and the repository map's default budget. They are the same objects the root
 * entry exports (an error thrown from here is a `GemmaCoderError` there too). Paths that
 * must start fast, such as a warm repository map in a new process, import them from here
 * rather than from the root entry, which loads the tool schemas' validation library.
 *
 * @packageDocumentation
 */
export { repoMapBudget } from "./agent/repo-map-prompt.js";
export { estimateTokens } from "./context/estimate-tokens.js";
export type { ErrorCode, GemmaCoderErrorOptions } from "./errors/gemma-coder-error.js";
export { GemmaCoderError } from "./errors/gemma-coder-error.js";
