import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isFiniteLanguage, parseGbnf, unproductiveRules } from "./__fixtures__/gbnf-matcher.js";
import {
  DEFAULT_MAX_ARRAY_ITEMS,
  DEFAULT_MAX_STRING_CHARS,
  gbnfLiteral,
  jsonSchemaToGbnf,
} from "./json-schema-to-gbnf.js";

const compile = (schema: Record<string, unknown>, options = {}) => {
  const grammar = parseGbnf(jsonSchemaToGbnf(schema, options));
  expect(unproductiveRules(grammar)).toEqual([]);
  return grammar;
};
/** The caps off, for tests of the string syntax rather than its length. */
const UNBOUNDED = {
  maxStringChars: Number.POSITIVE_INFINITY,
  maxArrayItems: Number.POSITIVE_INFINITY,
};
const accepts = (schema: Record<string, unknown>, value: unknown, options = {}) =>
  compile(schema, options).matches(JSON.stringify(value));

describe("jsonSchemaToGbnf", () => {
  it("writes integers in a range, and only those, without leading zeros", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1500, max: 1500 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.array(fc.integer({ min: -3000, max: 3000 }), { minLength: 1, maxLength: 12 }),
        (lo, span, samples) => {
          const hi = lo + span;
          const grammar = compile({ type: "integer", minimum: lo, maximum: hi });
          for (const n of [lo, hi, lo - 1, hi + 1, 0, ...samples]) {
            expect(grammar.matches(String(n)), `${n} in [${lo}, ${hi}]`).toBe(n >= lo && n <= hi);
          }
          expect(grammar.matches("007")).toBe(false);
          expect(grammar.matches("1.5")).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("handles open integer ranges and exclusive bounds", () => {
    const positive = compile({ type: "integer", exclusiveMinimum: 0 });
    expect(positive.matches("1")).toBe(true);
    expect(positive.matches("123456789012345")).toBe(true);
    expect(positive.matches("0")).toBe(false);
    expect(positive.matches("-4")).toBe(false);
    const below = compile({ type: "integer", maximum: -10 });
    expect(below.matches("-10")).toBe(true);
    expect(below.matches("-999")).toBe(true);
    expect(below.matches("-9")).toBe(false);
    expect(below.matches("5")).toBe(false);
    const any = compile({ type: "integer", minimum: -9007199254740991, maximum: 9007199254740991 });
    expect(any.matches("-42")).toBe(true);
    expect(any.matches("0")).toBe(true);
    expect(any.matches("-0")).toBe(false);
  });

  it("writes JSON numbers, without a sign when the minimum rules negatives out", () => {
    const grammar = compile({ type: "number" });
    for (const text of ["0", "-1", "3.25", "1e5", "-2.5E-3"]) {
      expect(grammar.matches(text)).toBe(true);
    }
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        expect(grammar.matches(JSON.stringify(n)), JSON.stringify(n)).toBe(true);
      }),
    );
    for (const text of ["01", "1.", ".5", "+1", "NaN", "Infinity"]) {
      expect(grammar.matches(text), text).toBe(false);
    }
    const nonNegative = compile({ type: "number", minimum: 0 });
    expect(nonNegative.matches("0.5")).toBe(true);
    expect(nonNegative.matches("-0.5")).toBe(false);
  });

  it("writes any JSON string as JSON.stringify would, and no raw control characters", () => {
    const grammar = compile({ type: "string" }, UNBOUNDED);
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (text) => {
        fc.pre(!text.includes("</tool>"));
        expect(grammar.matches(JSON.stringify(text))).toBe(true);
      }),
      { numRuns: 200 },
    );
    expect(grammar.matches('"a\nb"')).toBe(false);
    expect(grammar.matches('"tab\there"')).toBe(false);
    expect(grammar.matches('"\\q"')).toBe(false);
    expect(grammar.matches('"open')).toBe(false);
    expect(grammar.matches("'single'")).toBe(false);
  });

  it("never lets a string hold a literal </tool>, but allows other tags and escapes", () => {
    const grammar = compile({ type: "string" }, UNBOUNDED);
    for (const text of ["</div>", "a < b", "<<</tool", "</tool", "<\\/tool>", "</too>", "<t>"]) {
      expect(grammar.matches(`"${text}"`), text).toBe(true);
    }
    for (const text of ["</tool>", "x</tool>y", "<<</tool>"]) {
      expect(grammar.matches(`"${text}"`), text).toBe(false);
    }
  });

  it("bounds strings exactly where the schema does; a raw < is then written \\u003c", () => {
    const grammar = compile({ type: "string", minLength: 2, maxLength: 4 });
    expect(grammar.matches('"ab"')).toBe(true);
    expect(grammar.matches('"abcd"')).toBe(true);
    expect(grammar.matches('"a\\nc"')).toBe(true);
    expect(grammar.matches('"a"')).toBe(false);
    expect(grammar.matches('"abcde"')).toBe(false);
    expect(grammar.matches('"a<b"')).toBe(false);
    expect(grammar.matches('"a\\u003cb"')).toBe(true);
    expect(isFiniteLanguage(grammar)).toBe(true);
  });

  it("caps unbounded strings and arrays when asked, making the language finite", () => {
    const schema = { type: "array", items: { type: "string" } };
    expect(isFiniteLanguage(compile(schema, UNBOUNDED))).toBe(false);
    const capped = compile(schema, { maxStringChars: 3, maxArrayItems: 2 });
    expect(isFiniteLanguage(capped)).toBe(true);
    expect(capped.matches('["abc","</"]')).toBe(true);
    expect(capped.matches('["abcd"]')).toBe(false);
    expect(capped.matches('["a","b","c"]')).toBe(false);
  });

  it("bounds strings, arrays and free-shape values by default", () => {
    const schema = { type: "array", items: { type: "string" } };
    const bounded = compile(schema);
    expect(isFiniteLanguage(bounded)).toBe(true);
    expect(bounded.matches(JSON.stringify(["x".repeat(DEFAULT_MAX_STRING_CHARS)]))).toBe(true);
    expect(bounded.matches(JSON.stringify(["x".repeat(DEFAULT_MAX_STRING_CHARS + 1)]))).toBe(false);
    const items = (n: number) => JSON.stringify(Array.from({ length: n }, () => "a"));
    expect(bounded.matches(items(DEFAULT_MAX_ARRAY_ITEMS))).toBe(true);
    expect(bounded.matches(items(DEFAULT_MAX_ARRAY_ITEMS + 1))).toBe(false);
    const free = compile({ type: "object", properties: { value: {} } });
    expect(free.matches(JSON.stringify({ value: { a: [1, "b"] } }))).toBe(true);
    expect(
      free.matches(JSON.stringify({ value: Array(DEFAULT_MAX_ARRAY_ITEMS + 1).fill(1) })),
    ).toBe(false);
  });

  it("gives long-text properties the long cap and the rest the short one", () => {
    const schema = {
      type: "object",
      properties: { path: { type: "string" }, content: { type: "string" } },
    };
    const grammar = compile(schema, { maxStringChars: 4, maxLongStringChars: 8 });
    expect(grammar.matches('{"path":"abcd","content":"abcdefgh"}')).toBe(true);
    expect(grammar.matches('{"path":"abcde"}')).toBe(false);
    expect(grammar.matches('{"content":"abcdefghi"}')).toBe(false);
    const renamed = compile(schema, {
      maxStringChars: 4,
      maxLongStringChars: 8,
      longStringProperties: ["path"],
    });
    expect(renamed.matches('{"path":"abcdefgh"}')).toBe(true);
    expect(renamed.matches('{"content":"abcde"}')).toBe(false);
  });

  it("keeps declared property order, lets optional ones go, and refuses unknown keys", () => {
    const schema = {
      type: "object",
      properties: { a: { type: "string" }, b: { type: "integer" }, c: { type: "boolean" } },
      required: ["a", "c"],
    };
    const grammar = compile(schema);
    expect(grammar.matches('{"a":"x","c":true}')).toBe(true);
    expect(grammar.matches('{"a": "x", "b": 2, "c": false}')).toBe(true);
    expect(grammar.matches('{\n  "a": "x",\n  "c": true\n}')).toBe(true);
    expect(grammar.matches('{"c":true,"a":"x"}')).toBe(false);
    expect(grammar.matches('{"a":"x"}')).toBe(false);
    expect(grammar.matches('{"a":"x","c":true,"d":1}')).toBe(false);
    expect(grammar.matches('{"a":"x","c":true,}')).toBe(false);
    expect(grammar.matches('{"a":"x",,"c":true}')).toBe(false);
  });

  it("accepts the empty object when every property is optional, without ambiguity in commas", () => {
    const grammar = compile({
      type: "object",
      properties: { a: { type: "string" }, b: { type: "string" } },
    });
    for (const text of ["{}", '{"a":"1"}', '{"b":"2"}', '{"a":"1","b":"2"}']) {
      expect(grammar.matches(text), text).toBe(true);
    }
    for (const text of ['{,"b":"2"}', '{"a":"1",}', '{"b":"2","a":"1"}']) {
      expect(grammar.matches(text), text).toBe(false);
    }
  });

  it("writes enums, consts, unions, type lists and null", () => {
    expect(accepts({ enum: ["x", 2, null] }, 2)).toBe(true);
    expect(accepts({ enum: ["x", 2, null] }, "y")).toBe(false);
    expect(accepts({ type: "string", const: "only" }, "only")).toBe(true);
    expect(accepts({ type: "string", const: "only" }, "other")).toBe(false);
    const union = { anyOf: [{ type: "string" }, { type: "integer", minimum: 0 }] };
    expect(accepts(union, "s")).toBe(true);
    expect(accepts(union, 3)).toBe(true);
    expect(accepts(union, -3)).toBe(false);
    expect(accepts({ type: ["string", "null"] }, null)).toBe(true);
    expect(accepts({ type: ["string", "null"] }, true)).toBe(false);
    expect(accepts({ type: "boolean" }, false)).toBe(true);
  });

  it("writes arrays with item counts and tuples", () => {
    const bounded = { type: "array", items: { type: "integer" }, minItems: 1, maxItems: 3 };
    expect(accepts(bounded, [1])).toBe(true);
    expect(accepts(bounded, [1, 2, 3])).toBe(true);
    expect(accepts(bounded, [])).toBe(false);
    expect(accepts(bounded, [1, 2, 3, 4])).toBe(false);
    expect(compile(bounded).matches("[1, 2 ,3]")).toBe(true);
    expect(compile(bounded).matches("[1,]")).toBe(false);
    const tuple = {
      type: "array",
      prefixItems: [{ type: "string" }, { type: "number" }],
      items: false,
      minItems: 2,
      maxItems: 2,
    };
    expect(accepts(tuple, ["a", 1.5])).toBe(true);
    expect(accepts(tuple, [1.5, "a"])).toBe(false);
    expect(accepts(tuple, ["a"])).toBe(false);
    expect(accepts({ type: "array", maxItems: 0 }, [])).toBe(true);
  });

  it("follows $ref into $defs, recursion included", () => {
    const schema = {
      $ref: "#/$defs/node",
      $defs: {
        node: {
          type: "object",
          properties: { v: { type: "integer" }, next: { $ref: "#/$defs/node" } },
          required: ["v"],
        },
      },
    };
    expect(accepts(schema, { v: 1, next: { v: 2, next: { v: 3 } } })).toBe(true);
    expect(accepts(schema, { v: 1, next: { w: 2 } })).toBe(false);
  });

  it("falls back to any JSON value for what it cannot express", () => {
    for (const schema of [{}, { not: { type: "string" } }, { $ref: "#/nowhere" }]) {
      const grammar = compile(schema);
      for (const value of [1, "s", null, [1, { a: [true] }], { k: { n: -2.5 } }]) {
        expect(grammar.matches(JSON.stringify(value))).toBe(true);
      }
      expect(grammar.matches("{'a': 1}")).toBe(false);
    }
    const map = { type: "object", additionalProperties: { type: "integer" } };
    expect(accepts(map, { a: 1, b: 2 })).toBe(true);
    expect(accepts(map, { a: "x" })).toBe(false);
  });

  it("escapes GBNF literals", () => {
    expect(gbnfLiteral('a"b\\c\nd\u0001')).toBe('"a\\"b\\\\c\\nd\\x01"');
    const grammar = parseGbnf(`root ::= ${gbnfLiteral('say "hi"\\\n')}\n`);
    expect(grammar.matches('say "hi"\\\n')).toBe(true);
  });

  it("names the start rule as asked", () => {
    const text = jsonSchemaToGbnf({ type: "boolean" }, { rootRuleName: "answer" });
    expect(text.startsWith("answer ::= ")).toBe(true);
    expect(parseGbnf(text).matches("true", "answer")).toBe(true);
  });
});
