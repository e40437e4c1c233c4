/**
 * JSON call shapes beyond `{"name", "args"}`: arguments flattened next to the name
 * (`{"name": "read_file", "path": "a.py"}`), as small models write when they forget
 * the nesting.
 */

import { scanJson } from "./json-scan.js";

/** Keys that name the call or describe it, never arguments. */
const META_KEYS = new Set(["name", "tool", "tool_name", "function", "type", "id"]);

/**
 * The arguments of a call written flat, next to its name.
 *
 * @param value - The call object, which has a name but no arguments key.
 * @returns The other keys as the arguments, or undefined when there are none.
 */
export function flattenedArgs(value: Record<string, unknown>): Record<string, unknown> | undefined {
  const args: Record<string, unknown> = {};
  let any = false;
  for (const [key, item] of Object.entries(value)) {
    if (META_KEYS.has(key)) continue;
    args[key] = item;
    any = true;
  }
  return any ? args : undefined;
}

/**
 * Whether an untagged object is a flattened call: its `name` is one of the tools on offer
 * and other keys sit next to it. An object whose name is not a tool stays plain data.
 *
 * @param value - A parsed JSON object.
 * @param toolNames - The tools on offer.
 * @returns Whether it is a call.
 */
export function isFlattenedCall(
  value: Record<string, unknown>,
  toolNames: readonly string[],
): boolean {
  return (
    typeof value.name === "string" &&
    toolNames.includes(value.name) &&
    flattenedArgs(value) !== undefined
  );
}

const VALUE_START = /\s*(?:```[\w-]*\s*)?[{[]/y;

/**
 * Where a tagged call ends: at the first close tag, unless that tag sits inside one of
 * the call's JSON strings (a file about this very protocol); then at the first close tag
 * after the JSON value. Scans the call once.
 *
 * @param text - The reply.
 * @param start - The index just past the open tag.
 * @param close - The close tag.
 * @returns The index of the close tag that ends the call, or -1 when it is missing.
 */
export function closeTagAfterValue(text: string, start: number, close: string): number {
  const first = text.indexOf(close, start);
  if (first === -1) return -1;
  VALUE_START.lastIndex = start;
  if (!VALUE_START.test(text) || !scanJson(text.slice(start, first)).inString) return first;
  const value = scanJson(text.slice(start));
  if (!value.balanced) return first;
  return text.indexOf(close, start + value.end);
}
