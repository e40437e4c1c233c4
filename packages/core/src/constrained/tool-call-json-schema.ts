import type { AnyTool } from "../tools/define-tool.js";
import { toolInputJsonSchema } from "../tools/describe-tool.js";
import {
  DEFAULT_LONG_STRING_PROPERTIES,
  DEFAULT_MAX_LONG_STRING_CHARS,
  DEFAULT_MAX_STRING_CHARS,
  type GbnfBuildOptions,
} from "./json-schema-to-gbnf.js";
import { withDoneTool } from "./tool-call-grammar.js";

/**
 * The protocol instructions for backends that can only enforce a JSON schema on the
 * whole reply (Ollama `format`, llama.cpp `json_schema`). They replace the tag
 * protocol's instructions in the system prompt; tool results still come back in
 * `<tool_result>`. `parseReply` reads such a reply (a bare `{"name", "args"}` object)
 * as a call.
 */
export const JSON_ONLY_PROTOCOL = `You are a coding agent. You act only through tools.
Each reply is exactly one JSON object and nothing else, in this form:
{"name": "read_file", "args": {"path": "src/app.py"}}
Use strict JSON (double quotes; write newlines in strings as \\n).
The result comes back in <tool_result>. When the task is complete and verified, call done.`;

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Copies a schema, renaming its `$defs` references and closing every object that lists
 * its properties: without `additionalProperties: false` a backend may let the model
 * add keys nobody asked for.
 */
/** The `maxLength` a string property gets when its schema sets none. */
type StringCap = (property: string | undefined) => number | undefined;

function stringCaps(options: GbnfBuildOptions): StringCap {
  const long = new Set(options.longStringProperties ?? DEFAULT_LONG_STRING_PROPERTIES);
  const finite = (cap: number) => (Number.isFinite(cap) ? Math.max(0, Math.floor(cap)) : undefined);
  const short = finite(options.maxStringChars ?? DEFAULT_MAX_STRING_CHARS);
  const longCap = finite(options.maxLongStringChars ?? DEFAULT_MAX_LONG_STRING_CHARS);
  return (property) => (property !== undefined && long.has(property) ? longCap : short);
}

function rewrite(
  node: unknown,
  renameRef: (ref: string) => string,
  cap: StringCap,
  property?: string,
): unknown {
  if (Array.isArray(node)) return node.map((item) => rewrite(item, renameRef, cap, property));
  if (!isRecord(node)) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$schema" || key === "$defs" || key === "definitions") continue;
    if (key === "$ref" && typeof value === "string") out.$ref = renameRef(value);
    else if (key === "properties" && isRecord(value)) {
      const properties: Json = {};
      // Property names are data here, not keywords: rewrite only their schemas.
      for (const [name, sub] of Object.entries(value)) {
        properties[name] = rewrite(sub, renameRef, cap, name);
      }
      out.properties = properties;
    } else out[key] = rewrite(value, renameRef, cap, property);
  }
  // A string the schema leaves unbounded gets a cap, so a model cannot run on inside it.
  const limit = cap(property);
  if (out.type === "string" && out.maxLength === undefined && limit !== undefined) {
    out.maxLength = limit;
  }
  if (isRecord(out.properties) && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * Builds the JSON schema of one call for backends that enforce a schema rather than a
 * grammar: an `anyOf` over `{"name": <const>, "args": <that tool's input schema>}`
 * objects, one per tool, `done` always included. Each tool's `$defs` are hoisted to the
 * top under `<tool>__<name>`. Use it with {@link JSON_ONLY_PROTOCOL} and no stop sequence.
 *
 * Strings without `maxLength` get one, as in the grammar: `maxStringChars` for most
 * arguments, `maxLongStringChars` for long text (see `GbnfBuildOptions`), so a backend
 * that enforces the schema cannot let a model run on inside a string.
 *
 * @param tools - The tools on offer.
 * @param options - String caps (the defaults of {@link GbnfBuildOptions} otherwise).
 * @returns A JSON schema (draft 2020-12) for a whole reply.
 *
 * @example
 * ```ts
 * const schema = buildToolCallJsonSchema(agent.tools);
 * provider.streamChat({ messages, constraint: { type: "json-schema", schema } });
 * ```
 */
export function buildToolCallJsonSchema(
  tools: readonly AnyTool[],
  options: GbnfBuildOptions = {},
): Record<string, unknown> {
  const cap = stringCaps(options);
  const defs: Json = {};
  const variants = withDoneTool(tools).map((tool) => {
    const schema = toolInputJsonSchema(tool);
    const prefix = `${tool.name}__`;
    const renameRef = (ref: string): string => {
      const match = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref);
      return match ? `#/$defs/${prefix}${match[1]}` : ref;
    };
    const own = schema.$defs ?? schema.definitions;
    if (isRecord(own)) {
      for (const [name, def] of Object.entries(own))
        defs[prefix + name] = rewrite(def, renameRef, cap);
    }
    return {
      type: "object",
      properties: {
        name: { type: "string", const: tool.name },
        args: rewrite(schema, renameRef, cap),
      },
      required: ["name", "args"],
      additionalProperties: false,
    };
  });
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    anyOf: variants,
    ...(Object.keys(defs).length > 0 ? { $defs: defs } : {}),
  };
}
