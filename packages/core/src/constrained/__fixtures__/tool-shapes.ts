import { z } from "zod";
import { type AnyTool, defineTool } from "../../tools/define-tool.js";

const noop = () => "ok";

/** Tools with the same input shapes as the default tool set of `@gemma-coder/tools`. */
export const DEFAULT_SHAPES: AnyTool[] = [
  defineTool({
    name: "read_file",
    description: "Read a text file with numbered lines.",
    inputSchema: z.object({
      path: z.string(),
      start_line: z.number().int().min(1).optional(),
      end_line: z.number().int().min(1).optional(),
    }),
    readOnly: true,
    execute: noop,
  }),
  defineTool({
    name: "list_files",
    description: "List files.",
    inputSchema: z.object({
      path: z.string().optional(),
      max: z.number().int().min(1).optional(),
    }),
    readOnly: true,
    execute: noop,
  }),
  defineTool({
    name: "search",
    description: "Search file contents.",
    inputSchema: z.object({
      pattern: z.string(),
      path: z.string().optional(),
      glob: z.string().optional(),
      ignore_case: z.boolean().optional(),
      fixed: z.boolean().optional(),
    }),
    readOnly: true,
    execute: noop,
  }),
  defineTool({
    name: "write_file",
    description: "Write a file.",
    inputSchema: z.object({ path: z.string(), content: z.string() }),
    execute: noop,
  }),
  defineTool({
    name: "edit_file",
    description: "Replace exact text old with new in a file (edits: more pairs).",
    inputSchema: z.object({
      path: z.string(),
      old: z.string(),
      new: z.string(),
      replace_all: z.boolean().optional(),
      edits: z
        .array(z.object({ old: z.string(), new: z.string(), replace_all: z.boolean().optional() }))
        .optional(),
    }),
    execute: noop,
  }),
  defineTool({
    name: "run_shell",
    description: "Run a shell command.",
    inputSchema: z.object({
      command: z.string(),
      timeout_ms: z.number().int().min(1).optional(),
    }),
    execute: noop,
  }),
];

interface TreeNode {
  label: string;
  children?: TreeNode[] | undefined;
}
const treeNode: z.ZodType<TreeNode> = z.object({
  label: z.string(),
  get children() {
    return z.array(treeNode).optional();
  },
});

/** A tool whose schema uses every construct the grammar builder handles. */
export const KITCHEN_SINK: AnyTool = defineTool({
  name: "kitchen_sink",
  description: "Every schema construct.",
  inputSchema: z.object({
    mode: z.enum(["fast", "slow"]),
    kind: z.literal("x"),
    code: z.string().min(2).max(6),
    level: z.number().int().min(-3).max(12),
    ratio: z.number().min(0).optional(),
    delta: z.number().optional(),
    flag: z.boolean(),
    maybe: z.string().nullable(),
    either: z.union([z.string(), z.number().int()]),
    tags: z.array(z.string()).min(1).max(3),
    pair: z.tuple([z.string(), z.number()]),
    meta: z.record(z.string(), z.number()).optional(),
    nested: z.object({ a: z.string().optional(), b: z.number().int().optional() }).optional(),
    anything: z.unknown().optional(),
    tree: treeNode.optional(),
  }),
  execute: noop,
});
