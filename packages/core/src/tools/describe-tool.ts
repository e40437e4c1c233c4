import { z } from "zod";
import type { AnyTool } from "./define-tool.js";

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  description?: string;
  additionalProperties?: boolean | JsonSchema;
};

/**
 * Converts a tool's zod input schema to a JSON schema (draft 2020-12, inputs as the
 * model must write them).
 *
 * @param tool - The tool.
 * @returns A plain JSON schema object.
 */
export function toolInputJsonSchema(tool: AnyTool): Record<string, unknown> {
  return z.toJSONSchema(tool.inputSchema, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
}

function compactType(schema: JsonSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join("|");
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map(compactType).join("|");
  const type = Array.isArray(schema.type) ? schema.type.join("|") : schema.type;
  if (type === "array") return `${schema.items ? compactType(schema.items) : "any"}[]`;
  if (type === "object" && schema.properties) return compactObject(schema);
  if (type === "integer") return "int";
  return type ?? "any";
}

function compactObject(schema: JsonSchema): string {
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([key, value]) => {
    const note = value.description ? ` (${value.description})` : "";
    return `${key}${required.has(key) ? "" : "?"}: ${compactType(value)}${note}`;
  });
  return `{${fields.join(", ")}}`;
}

/**
 * Renders one line that tells the model what a tool does and what it takes, e.g.
 * `read_file {path: string, start_line?: int}: Read a text file.` It is derived from the
 * schema so the prompt can never drift from the validation.
 *
 * @param tool - The tool.
 * @returns A single line, without a trailing newline.
 */
export function describeTool(tool: AnyTool): string {
  const schema = toolInputJsonSchema(tool) as JsonSchema;
  const args = schema.type === "object" ? compactObject(schema) : compactType(schema);
  return `${tool.name} ${args}: ${tool.description}`;
}
