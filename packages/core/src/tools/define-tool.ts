import type { z } from "zod";
import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import { assertZodSchema } from "./assert-zod-schema.js";

/** What a tool's `execute` receives besides its input. */
export interface ToolContext {
  /** Fires when the run is aborted or times out; long-running tools must stop. */
  signal: AbortSignal;
  /** The run this call belongs to. */
  runId: string;
  /** The 1-based step (model turn) of the call. */
  step: number;
}

/**
 * A tool the model can call. Define one with {@link defineTool} so the input type
 * is inferred from the schema.
 */
export interface Tool<Input = unknown, Output = unknown> {
  /** The name the model uses: lowercase letters, digits and `_`. */
  readonly name: string;
  /** One line that tells the model when to use it. */
  readonly description: string;
  /** The zod schema of the input; the loop validates every call against it. */
  readonly inputSchema: z.ZodType<Input>;
  /**
   * `true` when the tool only reads: it is offered in read-only mode and never needs
   * approval, and calling it does not reset the repeated-call counter.
   */
  readonly readOnly?: boolean;
  /**
   * Runs the tool. Return a value (sent to the model as `{ ok: true, value }`) or throw
   * (sent as `{ ok: false, error }`); throw {@link ToolError} for messages written for the model.
   */
  execute(input: Input, context: ToolContext): Promise<Output> | Output;
}

/** A tool whose input type is not known statically, as stored in a tool set. */
// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous tool list must accept every input type.
export type AnyTool = Tool<any, unknown>;

const TOOL_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * Defines a tool with its input type inferred from the zod schema. It is an
 * identity function apart from checking the name and the schema.
 *
 * @param tool - The tool definition.
 * @returns The same tool, typed.
 * @throws GemmaCoderError with code `invalid-argument` when the name is not lowercase
 *   snake case or the schema is not a zod schema, `unsupported` when the schema comes
 *   from zod 3 or a zod 4 older than the supported range (the message says what to install).
 *
 * @example
 * ```ts
 * const add = defineTool({
 *   name: "add",
 *   description: "Add two numbers.",
 *   inputSchema: z.object({ a: z.number(), b: z.number() }),
 *   execute: ({ a, b }) => a + b,
 * });
 * ```
 */
export function defineTool<Schema extends z.ZodType, Output>(tool: {
  name: string;
  description: string;
  inputSchema: Schema;
  readOnly?: boolean;
  execute(input: z.output<Schema>, context: ToolContext): Promise<Output> | Output;
}): Tool<z.output<Schema>, Output> {
  assertToolName(tool.name);
  assertZodSchema(tool.name, tool.inputSchema);
  return tool as Tool<z.output<Schema>, Output>;
}

/** @internal */
export function assertToolName(name: string): void {
  if (!TOOL_NAME.test(name)) {
    throw new GemmaCoderError(
      `Invalid tool name ${JSON.stringify(name)}: use lowercase letters, digits and "_", starting with a letter.`,
      { code: "invalid-argument" },
    );
  }
}
