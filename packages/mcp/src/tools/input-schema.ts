import { z } from "zod";

/** Keywords `z.fromJSONSchema` cannot express; the server still checks them itself. */
const UNSUPPORTED_KEYWORDS = ["if", "then", "else", "not", "dependentSchemas", "dependencies"];

/**
 * Shortens a description to fit a small model's prompt: whitespace collapsed, then cut at
 * the last sentence end within `maxChars`, else at a word boundary with an ellipsis.
 *
 * @param text - The description.
 * @param maxChars - The most characters kept.
 * @returns The shortened text (unchanged when it fits).
 */
export function shortenDescription(text: string, maxChars: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= maxChars) return flat;
  const head = flat.slice(0, maxChars);
  const sentenceEnd = head.search(/[.!?](?=\s[^.!?]*$)/);
  if (sentenceEnd >= maxChars / 3) return head.slice(0, sentenceEnd + 1);
  const space = head.lastIndexOf(" ", maxChars - 1);
  return `${head.slice(0, space > maxChars / 2 ? space : maxChars - 1)}…`;
}

/** A copy of a JSON schema with every `description` shortened and some keywords dropped. */
function prepare(schema: unknown, maxChars: number, drop: readonly string[]): unknown {
  if (Array.isArray(schema)) return schema.map((item) => prepare(item, maxChars, drop));
  if (schema === null || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (drop.includes(key)) continue;
    if (key === "description" && typeof value === "string") {
      out[key] = shortenDescription(value, maxChars);
    } else if (key === "properties" && value !== null && typeof value === "object") {
      // Property names are data, not keywords: only their schemas are walked.
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, prepare(sub, maxChars, drop)]),
      );
    } else {
      out[key] = prepare(value, maxChars, drop);
    }
  }
  return out;
}

/** What {@link mcpInputSchema} made of a tool's JSON schema. */
export interface McpInputSchema {
  /** The zod schema the agent validates calls with (and renders into the prompt and grammar). */
  schema: z.ZodType;
  /** Set when part of the schema could not be expressed and only the server checks it. */
  note?: string;
}

/**
 * Turns an MCP tool's JSON Schema into the zod schema an agent tool carries, with
 * `z.fromJSONSchema`: the same schema then drives the prompt's argument line, the
 * constrained-decoding grammar and the validation, so a bad call gets the same feedback
 * as with a built-in tool. Descriptions of arguments are shortened to `maxDescriptionChars`.
 * Conditional keywords zod cannot express (`if`/`then`/`else`, `not`) are left to the
 * server; a schema zod cannot read at all becomes "any object", checked by the server.
 *
 * @param jsonSchema - The tool's `inputSchema`.
 * @param maxDescriptionChars - The longest argument description kept.
 * @returns The zod schema, and a note when part of the checking is left to the server.
 */
export function mcpInputSchema(jsonSchema: unknown, maxDescriptionChars: number): McpInputSchema {
  const attempts: Array<readonly string[]> = [[], UNSUPPORTED_KEYWORDS];
  for (const drop of attempts) {
    try {
      const prepared = prepare(jsonSchema, maxDescriptionChars, drop) as z.core.JSONSchema.Schema;
      const schema = z.fromJSONSchema(prepared);
      return drop.length === 0
        ? { schema }
        : { schema, note: "conditional parts of its schema are checked by the server only" };
    } catch {
      // Try again with less of the schema, then give up on it.
    }
  }
  return {
    schema: z.record(z.string(), z.unknown()),
    note: "its input schema could not be read, so only the server checks the arguments",
  };
}
