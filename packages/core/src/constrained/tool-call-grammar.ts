import type { AnyTool } from "../tools/define-tool.js";
import { toolInputJsonSchema } from "../tools/describe-tool.js";
import { DONE_TOOL_NAME, doneTool } from "../tools/done-tool.js";
import { type GbnfBuildOptions, GbnfWriter, gbnfLiteral } from "./json-schema-to-gbnf.js";

/** Options of {@link buildToolCallGrammar}. */
export interface ToolCallGrammarOptions extends GbnfBuildOptions {
  /**
   * The most characters of free text allowed before `<tool>` (a short sentence; it may
   * not contain `<`). `0` allows none. Default 200.
   */
  maxPreambleChars?: number;
}

/** The default of {@link ToolCallGrammarOptions.maxPreambleChars}. */
export const DEFAULT_MAX_PREAMBLE_CHARS = 200;

/**
 * The tools a constrained reply may call: the given ones, plus the built-in `done`
 * when it is missing, so a constrained model can always end the run.
 *
 * @param tools - The tools on offer.
 * @returns The tools, `done` included.
 */
export function withDoneTool(tools: readonly AnyTool[]): readonly AnyTool[] {
  return tools.some((tool) => tool.name === DONE_TOOL_NAME) ? tools : [...tools, doneTool];
}

/** Rule-name stem for a tool: GBNF names allow letters, digits and `-`. */
function stem(name: string): string {
  return name.replace(/[^a-zA-Z0-9]+/g, "-");
}

/**
 * Builds a GBNF grammar (llama.cpp, node-llama-cpp) that admits exactly the replies of
 * the text protocol with one valid call: an optional short sentence without `<`, then
 *
 * ```text
 * <tool>
 * {"name": "read_file", "args": {"path": "src/app.py"}}
 * </tool>
 * ```
 *
 * where `name` is one of the tools and `args` follows that tool's input schema
 * (derived from its zod schema through {@link toolInputJsonSchema}): properties in
 * declared order with optional ones omissible, strings JSON-escaped and bounded where
 * the schema bounds them, integers, numbers, booleans, enums, arrays, nested objects;
 * anything else is any JSON value. The built-in `done` is always included, so the
 * model can always finish. A string can never contain a literal `</tool>` (it would
 * trip the stop sequence); strings with a `maxLength` take `<` only as `\u003c`.
 *
 * The grammar guarantees the shape, not every refinement: the agent still validates
 * arguments with the tool's zod schema.
 *
 * @param tools - The tools on offer.
 * @param options - Preamble, string and array caps.
 * @returns The grammar text, start rule `root`.
 *
 * @example
 * ```ts
 * const grammar = buildToolCallGrammar(agent.tools, { maxPreambleChars: 120 });
 * provider.streamChat({ messages, constraint: { type: "grammar", grammar } });
 * ```
 */
export function buildToolCallGrammar(
  tools: readonly AnyTool[],
  options: ToolCallGrammarOptions = {},
): string {
  const writer = new GbnfWriter(options);
  const ws = writer.ws();
  const calls: string[] = [];
  for (const tool of withDoneTool(tools)) {
    const schema = toolInputJsonSchema(tool);
    writer.setDefs(schema);
    const args = writer.value(schema, `args-${stem(tool.name)}`);
    const body = [
      '"{"',
      ws,
      gbnfLiteral('"name"'),
      ws,
      '":"',
      ws,
      gbnfLiteral(JSON.stringify(tool.name)),
      ws,
      '","',
      ws,
      gbnfLiteral('"args"'),
      ws,
      '":"',
      ws,
      args,
      ws,
      '"}"',
    ].join(" ");
    calls.push(writer.rule(`call-${stem(tool.name)}`, body));
  }
  writer.define("call", calls.join(" | "));
  const maxPreamble = Math.max(
    0,
    Math.floor(options.maxPreambleChars ?? DEFAULT_MAX_PREAMBLE_CHARS),
  );
  const preamble =
    maxPreamble === 0 ? "" : `${writer.define("preamble", `[^<]{0,${maxPreamble}}`)} `;
  writer.define("root", `${preamble}"<tool>" "\\n"? call "\\n"? "</tool>"`);
  return writer.render("root");
}
