import { type AnyTool, askApproval, ToolError } from "@gemma-coder/core";
import type { ApprovalHandler } from "./options.js";

/**
 * Puts an approval check in front of a tool that changes something. Before each call the
 * handler is asked; a denial becomes a {@link ToolError} the model reads (with the
 * handler's reason), so it can try something else. A handler that throws denies the call
 * too, and an abort while waiting stops it. Read-only tools are returned unchanged.
 *
 * With an `Agent`, pass the handler to the Agent's `approve` option instead: the agent
 * then asks before it checkpoints, so nothing with side effects happens before the
 * answer. A tool-level check is only reached once the agent has checkpointed.
 *
 * @param tool - The tool to guard.
 * @param approve - The handler.
 * @returns A tool with the same name, description and schema.
 */
export function withApproval<T extends AnyTool>(tool: T, approve: ApprovalHandler): T {
  if (tool.readOnly) return tool;
  return {
    ...tool,
    async execute(input, context) {
      const signal: AbortSignal | undefined = context?.signal;
      const denial = await askApproval(approve, { tool: tool.name, input }, signal);
      if (denial !== undefined) throw new ToolError(denial);
      return tool.execute(input, context);
    },
  } as T;
}
