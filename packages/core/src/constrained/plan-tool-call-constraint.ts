import type { DecodingConstraint, ProviderCapabilities } from "../provider/provider.js";
import type { AnyTool } from "../tools/define-tool.js";
import { DEFAULT_MAX_STRING_CHARS } from "./json-schema-to-gbnf.js";
import { buildToolCallGrammar, type ToolCallGrammarOptions } from "./tool-call-grammar.js";
import { buildToolCallJsonSchema } from "./tool-call-json-schema.js";

/**
 * How replies are constrained: `"off"` (plain text protocol), `"auto"` (a grammar when
 * the provider enforces one, else a JSON schema, else plain with a warning),
 * `"grammar"` or `"json-schema"` (that one, else plain with a warning).
 */
export type ConstrainedDecodingMode = "off" | "auto" | "grammar" | "json-schema";

/** Options of {@link planToolCallConstraint}. */
export interface PlanToolCallConstraintOptions {
  /** The tools on offer (`done` is added when missing). */
  tools: readonly AnyTool[];
  /** What the provider can enforce. */
  capabilities?: ProviderCapabilities | undefined;
  /** The requested mode; `true` means `"auto"` and `false` means `"off"`. */
  mode: ConstrainedDecodingMode | boolean;
  /** The provider id, for the warning text. */
  providerId?: string | undefined;
  /** Preamble, string and array caps for the grammar (and the string caps of the schema). */
  grammar?: ToolCallGrammarOptions | undefined;
  /**
   * The turn's output budget in tokens. Long string arguments (file content) are capped
   * to fit in it, unless `grammar.maxLongStringChars` says otherwise.
   */
  maxOutputTokens?: number | undefined;
}

/** Tokens of a turn's budget kept for the call around a long string (name, other arguments). */
const CALL_RESERVE_TOKENS = 256;

/**
 * The cap on a long string argument for an output budget: one character per token of
 * the budget left after the rest of the call, so text that spends at most a token per
 * character (source code does, with any usual vocabulary) always closes in time.
 *
 * @param maxOutputTokens - The turn's output budget in tokens.
 * @returns The cap in characters, never below the short-string default.
 */
export function longStringCapFor(maxOutputTokens: number): number {
  return Math.max(DEFAULT_MAX_STRING_CHARS, Math.floor(maxOutputTokens) - CALL_RESERVE_TOKENS);
}

/** What a run should send, decided once per run from the mode and the provider. */
export interface ToolCallConstraintPlan {
  /** The constraint in effect: `"off"` when none (requested or not). */
  mode: "off" | "grammar" | "json-schema";
  /** The constraint to send with every model request, when one is in effect. */
  constraint?: DecodingConstraint;
  /**
   * The protocol the system prompt should teach: `"tags"` (`<tool>...</tool>`) or
   * `"json"` (a bare JSON object, see `JSON_ONLY_PROTOCOL`).
   */
  protocol: "tags" | "json";
  /** Stop sequences to send: `["</tool>"]` for tags, none for JSON (a string may hold `</tool>`). */
  stop: readonly string[];
  /** Set when the requested constraint could not be applied; emit it as a warning event. */
  warning?: string;
}

const TAG_STOP: readonly string[] = ["</tool>"];

/**
 * Decides how to constrain tool calls for a provider. A provider that cannot enforce
 * what was asked never gets it silently dropped: the plan falls back to the plain text
 * protocol and carries a `warning` for the caller to emit.
 *
 * @param options - Tools, provider capabilities and the requested mode.
 * @returns The constraint, protocol and stop sequences to use.
 *
 * @example
 * ```ts
 * const plan = planToolCallConstraint({ tools, capabilities: provider.capabilities, mode: "auto" });
 * if (plan.warning) emit("warning", { kind: "constrained-decoding", message: plan.warning });
 * ```
 */
export function planToolCallConstraint(
  options: PlanToolCallConstraintOptions,
): ToolCallConstraintPlan {
  const mode = options.mode === true ? "auto" : options.mode === false ? "off" : options.mode;
  const plain: ToolCallConstraintPlan = { mode: "off", protocol: "tags", stop: TAG_STOP };
  if (mode === "off") return plain;
  const caps = options.capabilities ?? {};
  const limits: ToolCallGrammarOptions = {
    ...(options.maxOutputTokens === undefined
      ? {}
      : { maxLongStringChars: longStringCapFor(options.maxOutputTokens) }),
    ...options.grammar,
  };
  const useGrammar = (mode === "auto" || mode === "grammar") && caps.grammar === true;
  if (useGrammar) {
    return {
      mode: "grammar",
      constraint: {
        type: "grammar",
        grammar: buildToolCallGrammar(options.tools, limits),
      },
      protocol: "tags",
      stop: TAG_STOP,
    };
  }
  const useSchema = (mode === "auto" || mode === "json-schema") && caps.jsonSchema === true;
  if (useSchema) {
    return {
      mode: "json-schema",
      constraint: { type: "json-schema", schema: buildToolCallJsonSchema(options.tools, limits) },
      protocol: "json",
      stop: [],
    };
  }
  const who = options.providerId ? `The provider "${options.providerId}"` : "The provider";
  const what =
    mode === "grammar"
      ? "cannot enforce a grammar"
      : mode === "json-schema"
        ? "cannot enforce a JSON schema"
        : "cannot enforce a grammar or a JSON schema";
  return {
    ...plain,
    warning: `${who} ${what}; constrained decoding is off and the plain tool-call protocol is used.`,
  };
}
