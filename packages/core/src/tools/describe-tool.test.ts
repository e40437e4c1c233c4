import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTool } from "./define-tool.js";
import { describeTool } from "./describe-tool.js";
import { doneTool } from "./done-tool.js";

describe("describeTool", () => {
  it("derives a compact one-line description from the schema", () => {
    const tool = defineTool({
      name: "edit_file",
      description: "Replace text in a file.",
      inputSchema: z.object({
        path: z.string(),
        edits: z.array(z.object({ old: z.string(), new: z.string() })),
        replace_all: z.boolean().optional(),
        mode: z.enum(["a", "b"]).default("a"),
        count: z.number().int(),
      }),
      execute: () => "ok",
    });
    expect(describeTool(tool)).toBe(
      'edit_file {path: string, edits: {old: string, new: string}[], replace_all?: boolean, mode?: "a"|"b", count: int}: Replace text in a file.',
    );
  });

  it("includes field descriptions", () => {
    expect(describeTool(doneTool)).toBe(
      "done {summary: string (what you changed and how you verified it)}: Finish the task. Call only after you verified the result.",
    );
  });
});
