import { z } from "zod";
import { defineTool, type Tool } from "./define-tool.js";

/** The input of the built-in `done` tool. */
export interface DoneInput {
  /** What was changed and how it was verified. */
  summary: string;
}

/** The name of the built-in tool that ends a run. */
export const DONE_TOOL_NAME = "done";

/**
 * The built-in `done` tool. Calling it ends the run successfully with the summary;
 * the agent always offers it, so a model can always finish.
 */
export const doneTool: Tool<DoneInput, string> = defineTool({
  name: DONE_TOOL_NAME,
  description: "Finish the task. Call only after you verified the result.",
  inputSchema: z.object({
    summary: z.string().min(1).describe("what you changed and how you verified it"),
  }),
  readOnly: true,
  execute: ({ summary }) => summary,
});
