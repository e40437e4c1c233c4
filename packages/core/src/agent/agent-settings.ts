import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import { DEFAULT_MAX_RESULT_CHARS } from "../protocol/tool-result.js";
import type { AgentOptions } from "./agent-options.js";

/** The limits of a run, with the defaults of {@link AgentOptions} filled in. */
export interface AgentSettings {
  /** Most model turns in one run. */
  readonly maxSteps: number;
  /** Consecutive replies without a usable call before the run fails. */
  readonly maxInvalidReplies: number;
  /** Identical calls (with no change in between) before a warning. */
  readonly repeatWarnAt: number;
  /** Identical calls (with no change in between) before the run fails. */
  readonly repeatStopAt: number;
  /** Cap on one reply's tokens. */
  readonly maxOutputTokens: number;
  /** The clock. */
  readonly now: () => number;
}

/** The context window assumed when neither the options nor the provider name one. */
export const DEFAULT_CONTEXT_WINDOW = 8192;
/** Characters per token assumed when sizing tool results from a token budget (conservative for code). */
const CHARS_PER_TOKEN = 3;

const POSITIVE_INTEGER_OPTIONS = [
  "maxSteps",
  "maxInvalidReplies",
  "repeatWarnAt",
  "repeatStopAt",
  "maxReplyChars",
] as const;

/**
 * The longest delay Node's timers hold (2^31 - 1 ms, about 24.8 days); a longer one fires
 * at once, which would end a run on its first step.
 */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Rejects options an agent cannot run with, at construction rather than mid-run.
 *
 * @param options - The constructor's options.
 * @throws GemmaCoderError `invalid-argument` without a provider, for a limit that is not a
 *   positive integer, or for a `timeoutMs` no timer can hold.
 */
export function assertAgentOptions(options: AgentOptions): void {
  if (!options || typeof options.provider?.streamChat !== "function") {
    throw new GemmaCoderError("Agent needs a provider with a streamChat method.", {
      code: "invalid-argument",
    });
  }
  for (const key of POSITIVE_INTEGER_OPTIONS) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new GemmaCoderError(`${key} must be a positive integer, got ${value}.`, {
        code: "invalid-argument",
      });
    }
  }
  const timeout = options.timeoutMs;
  if (
    timeout !== undefined &&
    timeout !== Number.POSITIVE_INFINITY &&
    !(timeout >= 0 && timeout <= MAX_TIMER_MS)
  ) {
    throw new GemmaCoderError(
      `timeoutMs must be a duration in milliseconds up to ${MAX_TIMER_MS} (about 24.8 days, the longest timer Node.js holds), or 0 or Infinity for no limit; got ${timeout}.`,
      { code: "invalid-argument" },
    );
  }
}

/**
 * The limits a run uses: the options, else the defaults.
 *
 * @param options - The agent's options.
 * @returns The settings.
 */
export function agentSettings(options: AgentOptions): AgentSettings {
  return {
    maxSteps: options.maxSteps ?? 40,
    maxInvalidReplies: options.maxInvalidReplies ?? 3,
    repeatWarnAt: options.repeatWarnAt ?? 3,
    repeatStopAt: options.repeatStopAt ?? 5,
    maxOutputTokens: options.maxOutputTokens ?? 2048,
    now: options.now ?? Date.now,
  };
}

/**
 * The prompt's token budget for a context window: room is left for the reply and a little
 * slack for template tokens we cannot see.
 *
 * @param window - The context window in tokens.
 * @param maxOutputTokens - The reply cap in tokens.
 * @returns The budget in tokens.
 */
export function promptBudget(window: number, maxOutputTokens: number): number {
  return Math.max(512, window - maxOutputTokens - 64);
}

/**
 * The cap on a tool result's characters: the option, else the default or a quarter of the
 * prompt budget when the context is small.
 *
 * @param budget - The prompt budget in tokens.
 * @param option - `maxResultChars` from the options.
 * @returns The cap in characters.
 */
export function maxResultCharsFor(budget: number, option: number | undefined): number {
  return option ?? Math.min(DEFAULT_MAX_RESULT_CHARS, Math.floor(budget * 0.25 * CHARS_PER_TOKEN));
}
