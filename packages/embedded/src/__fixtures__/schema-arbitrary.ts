import fc from "fast-check";

type Schema = Record<string, unknown>;

/** Strings that can travel inside a tagged call: anything but a literal `</tool>`. */
const text = (min: number, max: number) =>
  fc.string({ unit: "binary", minLength: min, maxLength: max }).filter((s) => !s.includes("</tool>"));

/**
 * Valid values for the JSON-schema subset tool inputs use (objects with optional
 * properties in declared order, strings, integers, numbers, booleans, enums, arrays),
 * so a test can throw many valid calls at a grammar.
 */
export function arbitraryFor(schema: Schema): fc.Arbitrary<unknown> {
  if ("const" in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  const union = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (union) return fc.oneof(...union.map(arbitraryFor));
  switch (schema.type) {
    case "string": {
      const max = typeof schema.maxLength === "number" ? schema.maxLength : 30;
      return text(typeof schema.minLength === "number" ? schema.minLength : 0, max);
    }
    case "integer":
      return fc.integer({
        min: typeof schema.minimum === "number" ? Math.max(schema.minimum, -1e9) : -1e9,
        max: typeof schema.maximum === "number" ? Math.min(schema.maximum, 1e9) : 1e9,
      });
    case "number":
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
    case "boolean":
      return fc.boolean();
    case "array":
      return fc.array(arbitraryFor((schema.items ?? {}) as Schema), {
        minLength: typeof schema.minItems === "number" ? schema.minItems : 0,
        maxLength: typeof schema.maxItems === "number" ? schema.maxItems : 3,
      });
    case "object": {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = (schema.required ?? []) as string[];
      const model = Object.fromEntries(
        Object.entries(properties).map(([key, sub]) => [key, arbitraryFor(sub)]),
      );
      return fc.record(model, { requiredKeys: required });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}
