// Test support: runs a tool the way the agent loop does (schema, then execute). Not part
// of the package's API.
import type { AnyTool, ToolContext } from "@gemma-coder/core";

/**
 * Runs a tool by name and returns its value or its error message.
 *
 * @param tools - The tool set.
 * @param name - The tool.
 * @param input - The arguments, validated by the tool's schema first.
 * @returns `{ ok, text }`.
 */
export async function runTool(
  tools: readonly AnyTool[],
  name: string,
  input: unknown,
): Promise<{ ok: boolean; text: string }> {
  const tool = tools.find((t) => t.name === name);
  if (!tool) throw new Error(`no tool ${name}`);
  const context = { signal: new AbortController().signal } as ToolContext;
  try {
    const value = await tool.execute(tool.inputSchema.parse(input), context);
    return { ok: true, text: typeof value === "string" ? value : JSON.stringify(value) };
  } catch (error) {
    return { ok: false, text: error instanceof Error ? error.message : String(error) };
  }
}
