import { type AnyTool, abortError, ToolError, untilAborted } from "@gemma-coder/core";
import type { ApprovalDecision, ApprovalHandler } from "./options.js";

/**
 * Puts an approval check in front of a tool that changes something. Before each call the
 * handler is asked; a denial becomes a {@link ToolError} the model reads (with the
 * handler's reason), so it can try something else. A handler that throws denies the call
 * too, and an abort while waiting stops it. Read-only tools are returned unchanged.
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
      if (signal?.aborted) throw abortError(signal);
      let decision: ApprovalDecision;
      try {
        decision = await untilAborted(
          Promise.resolve().then(() => approve({ tool: tool.name, input })),
          signal,
        );
      } catch (error) {
        if (signal?.aborted) throw abortError(signal);
        throw new ToolError(`${tool.name} was not run: the approval check failed.`, {
          cause: error,
        });
      }
      const allowed = typeof decision === "boolean" ? decision : decision?.allow === true;
      if (!allowed) {
        const reason =
          typeof decision === "object" && decision?.reason ? `: ${decision.reason}` : "";
        throw new ToolError(
          `${tool.name} was denied by the user${reason}. Do not retry the same call.`,
        );
      }
      return tool.execute(input, context);
    },
  } as T;
}
