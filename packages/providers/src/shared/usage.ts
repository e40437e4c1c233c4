import type { Usage } from "@gemma-coder/core";

/**
 * Builds a {@link Usage} from counts a server may or may not report, leaving out the
 * missing ones and deriving cached from evaluated (or the reverse) when only one is known.
 *
 * @param counts - Raw counts; non-numbers are ignored.
 * @returns The usage, or `undefined` when the server reported nothing.
 */
export function buildUsage(counts: {
  input?: unknown;
  output?: unknown;
  cached?: unknown;
  evaluated?: unknown;
}): Usage | undefined {
  const input = count(counts.input);
  const output = count(counts.output);
  let cached = count(counts.cached);
  let evaluated = count(counts.evaluated);
  if (input !== undefined) {
    if (cached === undefined && evaluated !== undefined) cached = Math.max(0, input - evaluated);
    if (evaluated === undefined && cached !== undefined) evaluated = Math.max(0, input - cached);
  }
  const usage: Usage = {};
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  if (cached !== undefined) usage.cachedInputTokens = cached;
  if (evaluated !== undefined) usage.evaluatedInputTokens = evaluated;
  return Object.keys(usage).length > 0 ? usage : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}
