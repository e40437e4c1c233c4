import type { ConstrainedDecodingMode } from "@gemma-coder/core";
import type { ConstrainedFlag, ProtocolFlag } from "./args.js";

/** The providers that enforce a grammar themselves, where constrained decoding is on by default. */
const ENFORCING: ReadonlySet<string> = new Set(["llama-cpp", "embedded"]);

/**
 * The agent's constrained-decoding mode for a run: what `--constrained` (or the
 * `constrained` config key) asked for, else a grammar on backends that enforce one
 * (llama.cpp server, the in-process engine) and the plain protocol elsewhere. The
 * default grammar teaches the tag protocol, so it is off under `--protocol native` or
 * `json` (the json protocol brings its own schema); an explicit flag is passed on, and
 * the agent refuses a combination that cannot work.
 *
 * @param flag - The setting, when one was given.
 * @param providerId - The provider's id.
 * @param protocol - The `--protocol` setting, when one was given.
 * @returns The mode to give the agent.
 */
export function constrainedModeFor(
  flag: ConstrainedFlag | undefined,
  providerId: string,
  protocol?: ProtocolFlag,
): ConstrainedDecodingMode {
  if (flag === "json") return "json-schema";
  if (flag !== undefined) return flag;
  if (protocol === "native" || protocol === "json") return "off";
  return ENFORCING.has(providerId) ? "grammar" : "off";
}
