import type { ConstrainedDecodingMode } from "@gemma-coder/core";
import type { ConstrainedFlag } from "./args.js";

/** The providers that enforce a grammar themselves, where constrained decoding is on by default. */
const ENFORCING: ReadonlySet<string> = new Set(["llama-cpp", "embedded"]);

/**
 * The agent's constrained-decoding mode for a run: what `--constrained` (or the
 * `constrained` config key) asked for, else a grammar on backends that enforce one
 * (llama.cpp server, the in-process engine) and the plain protocol elsewhere.
 *
 * @param flag - The setting, when one was given.
 * @param providerId - The provider's id.
 * @returns The mode to give the agent.
 */
export function constrainedModeFor(
  flag: ConstrainedFlag | undefined,
  providerId: string,
): ConstrainedDecodingMode {
  if (flag === "json") return "json-schema";
  if (flag !== undefined) return flag;
  return ENFORCING.has(providerId) ? "grammar" : "off";
}
