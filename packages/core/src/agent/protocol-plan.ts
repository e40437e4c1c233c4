import {
  type ConstrainedDecodingMode,
  planToolCallConstraint,
} from "../constrained/plan-tool-call-constraint.js";
import type { ToolCallGrammarOptions } from "../constrained/tool-call-grammar.js";
import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import type {
  DecodingConstraint,
  ModelProvider,
  ProviderCapabilities,
  ToolDefinition,
} from "../provider/provider.js";
import type { AnyTool } from "../tools/define-tool.js";
import { nativeToolDefinitions } from "./native-calls.js";

/**
 * How the model makes tool calls:
 *
 * - `"text"` (default): a `<tool>{"name", "args"}</tool>` block in the reply text, read by
 *   `parseReply`; with `constrainedDecoding`, a grammar or schema can enforce it.
 * - `"native"`: the provider's own tool API (Ollama `tools`, OpenAI-style `tools`,
 *   llama-server's chat endpoint with `--jinja`); the model's chat template renders the
 *   tools and the backend returns structured calls. Needs a provider with
 *   `capabilities.nativeTools`.
 * - `"json"`: the whole reply is one JSON object `{"name", "args"}`, enforced by the
 *   provider's JSON-schema mode where it has one.
 *
 * See docs/protocol.md for when each one wins.
 */
export type AgentProtocol = "text" | "native" | "json";

/** What a run sends with every model request, decided once from the protocol and the provider. */
export interface ProtocolPlan {
  /** The system prompt's protocol section: tags, a bare JSON object, or the tool API's own. */
  protocol: "tags" | "json" | "native";
  /** The constraint in effect: `"off"` when none. */
  mode: "off" | "grammar" | "json-schema";
  /** The decoding constraint to send, when one is in effect. */
  constraint?: DecodingConstraint;
  /** Stop sequences to send. */
  stop: readonly string[];
  /** The tools to offer through the provider's tool API (the native protocol only). */
  tools?: readonly ToolDefinition[];
  /** A warning for the caller to emit (kind `constrained-decoding`), when one applies. */
  warning?: string;
}

/** What {@link planProtocol} needs. */
export interface PlanProtocolOptions {
  /** The protocol asked for. */
  protocol: AgentProtocol;
  /** The tools on offer, `done` included. */
  tools: readonly AnyTool[];
  /** What the provider can do. */
  capabilities?: ProviderCapabilities | undefined;
  /** The provider id, for messages. */
  providerId?: string | undefined;
  /** The constrained-decoding mode (text protocol). */
  constrainedDecoding: ConstrainedDecodingMode | boolean;
  /** Grammar caps. */
  grammar?: ToolCallGrammarOptions | undefined;
  /** The turn's output budget in tokens. */
  maxOutputTokens: number;
}

const PROTOCOLS: readonly AgentProtocol[] = ["text", "native", "json"];

/**
 * Checks an agent's protocol against its provider and constrained-decoding mode, at
 * construction. Asking for `native` on a provider without a native tool API is an
 * error, not a fallback: a silent switch to the text protocol would make a comparison
 * of protocols (the eval harness) measure something else than it says.
 *
 * @param protocol - The `protocol` option.
 * @param provider - The provider.
 * @param constrained - The `constrainedDecoding` option.
 * @throws GemmaCoderError `invalid-argument` for an unknown protocol or a constraint the
 *   protocol cannot take, `unsupported` for `native` on a provider without native tools.
 */
export function assertProtocolOptions(
  protocol: unknown,
  provider: ModelProvider,
  constrained: ConstrainedDecodingMode | boolean | undefined,
): void {
  if (protocol === undefined) return;
  if (!(PROTOCOLS as readonly unknown[]).includes(protocol)) {
    throw new GemmaCoderError(
      `protocol must be one of ${PROTOCOLS.join(", ")}, got ${JSON.stringify(protocol)}.`,
      { code: "invalid-argument" },
    );
  }
  const constraint = constrained === true ? "auto" : constrained === false ? "off" : constrained;
  if (protocol === "native") {
    if (constraint !== undefined && constraint !== "off") {
      throw new GemmaCoderError(
        `constrainedDecoding "${constraint}" applies to the text and json protocols; with protocol "native" the backend's tool API shapes the calls. Leave constrainedDecoding off.`,
        { code: "invalid-argument" },
      );
    }
    if (provider.capabilities?.nativeTools !== true) {
      throw new GemmaCoderError(
        `The provider "${provider.id}" has no native tool API (capabilities.nativeTools), so protocol "native" cannot be used with it. Use protocol "text" (with constrained decoding where the backend enforces a grammar) or "json".`,
        { code: "unsupported", provider: provider.id },
      );
    }
  }
  if (protocol === "json" && constraint === "grammar") {
    throw new GemmaCoderError(
      'constrainedDecoding "grammar" teaches the tag protocol; with protocol "json" the reply is held to a JSON schema where the provider enforces one.',
      { code: "invalid-argument" },
    );
  }
}

/**
 * Decides what every request of a run sends for the protocol: the text protocol's
 * constraint plan unchanged; for `json`, the JSON-only prompt with the call schema when
 * the provider enforces schemas (else the same prompt unenforced, with a warning); for
 * `native`, the tool definitions and no stop sequence.
 *
 * @param options - Protocol, tools, provider capabilities and constraint settings.
 * @returns The plan.
 */
export function planProtocol(options: PlanProtocolOptions): ProtocolPlan {
  if (options.protocol === "native") {
    return {
      protocol: "native",
      mode: "off",
      stop: [],
      tools: nativeToolDefinitions(options.tools),
    };
  }
  const base = {
    tools: options.tools,
    capabilities: options.capabilities,
    providerId: options.providerId,
    grammar: options.grammar,
    maxOutputTokens: options.maxOutputTokens,
  };
  if (options.protocol === "text") {
    return planToolCallConstraint({ ...base, mode: options.constrainedDecoding });
  }
  const plan = planToolCallConstraint({ ...base, mode: "json-schema" });
  if (plan.mode === "json-schema") return plan;
  const who = options.providerId ? `The provider "${options.providerId}"` : "The provider";
  return {
    protocol: "json",
    mode: "off",
    stop: [],
    warning: `${who} cannot enforce a JSON schema; the json protocol is used without one (replies are still read and checked).`,
  };
}
