import { type AnyTool, describeTool, estimateTokens } from "@gemma-coder/core";
import type { McpWarning } from "./create-mcp-tools.js";

/** The share of the context window the fixed prompt (protocol, tools, rules) should stay within. */
export const PROMPT_BUDGET_SHARE = 0.25;

/** Options of {@link promptBudgetWarning}. */
export interface PromptBudgetOptions {
  /** The agent's system prompt. */
  systemPrompt: string;
  /** The model's context window in tokens. */
  contextWindow: number;
  /** The MCP tools. */
  tools: readonly AnyTool[];
  /** Which server each tool (by name) belongs to. */
  toolServer: ReadonlyMap<string, string>;
  /** The share of the window the prompt may take. Default {@link PROMPT_BUDGET_SHARE}. */
  share?: number | undefined;
}

/**
 * The warning for a fixed prompt past its budget, when MCP tools are part of it: every
 * token of the system prompt is paid on every turn, and a small model's window is small.
 * The warning says what each server's tools cost and how to offer fewer.
 *
 * @param options - The prompt, the window and the tools.
 * @returns The warning, or `undefined` when the prompt fits or no MCP tool is in it.
 */
export function promptBudgetWarning(options: PromptBudgetOptions): McpWarning | undefined {
  const budget = Math.floor(options.contextWindow * (options.share ?? PROMPT_BUDGET_SHARE));
  const total = estimateTokens(options.systemPrompt);
  if (total <= budget || options.tools.length === 0) return undefined;
  const perServer = new Map<string, number>();
  for (const tool of options.tools) {
    const server = options.toolServer.get(tool.name) ?? "?";
    // "- " and the newline, as the prompt lists it.
    const cost = estimateTokens(`- ${describeTool(tool)}\n`);
    perServer.set(server, (perServer.get(server) ?? 0) + cost);
  }
  const costs = [...perServer].sort((a, b) => b[1] - a[1]);
  const mcpTokens = costs.reduce((sum, [, cost]) => sum + cost, 0);
  const list = costs.map(([server, cost]) => `${server} ~${cost}`).join(", ");
  return {
    kind: "prompt-budget",
    message: `The system prompt is about ${total} tokens, over its budget of ${budget} (a quarter of the ${options.contextWindow}-token context window); the MCP tools take about ${mcpTokens} of them (${list}). Offer fewer tools with "allow" or "deny" in mcpServers.`,
  };
}
