import { buildToolCallJsonSchema, defineTool } from "@gemma-coder/core";
import { planToolCallConstraint } from "@gemma-coder/core/internal";
import { describe, expect, it } from "vitest";
import { mcpInputSchema, shortenDescription } from "./input-schema.js";

describe("shortenDescription", () => {
  it("keeps short text, cuts long text at a sentence end or a word", () => {
    expect(shortenDescription("  Read  a\nfile. ", 40)).toBe("Read a file.");
    expect(shortenDescription("Read a file from disk. Then do many other things too.", 30)).toBe(
      "Read a file from disk.",
    );
    const cut = shortenDescription("word ".repeat(40), 50);
    expect(cut.length).toBeLessThanOrEqual(50);
    expect(cut.endsWith("…")).toBe(true);
  });
});

describe("mcpInputSchema", () => {
  it("validates like the JSON Schema says, with zod's issues", () => {
    const { schema, note } = mcpInputSchema(
      {
        type: "object",
        properties: {
          path: { type: "string" },
          lines: { type: "array", items: { type: "integer" } },
        },
        required: ["path"],
        $schema: "http://json-schema.org/draft-07/schema#",
      },
      80,
    );
    expect(note).toBeUndefined();
    expect(schema.safeParse({ path: "a", lines: [1, 2] }).success).toBe(true);
    const bad = schema.safeParse({ lines: ["x"] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join("."))).toEqual(["path", "lines.0"]);
  });

  it("shortens argument descriptions", () => {
    const { schema } = mcpInputSchema(
      { type: "object", properties: { q: { type: "string", description: "x ".repeat(200) } } },
      40,
    );
    const tool = defineTool({ name: "t", description: "d", inputSchema: schema, execute: () => 1 });
    const json = buildToolCallJsonSchema([tool]);
    expect(JSON.stringify(json)).not.toContain("x ".repeat(30));
  });

  it("leaves conditional keywords to the server, and an unreadable schema becomes any object", () => {
    const conditional = mcpInputSchema(
      {
        type: "object",
        properties: { a: { type: "number" } },
        if: { properties: { a: { const: 1 } } },
        // biome-ignore lint/suspicious/noThenProperty: a JSON Schema keyword, not a thenable.
        then: { required: ["b"] },
      },
      80,
    );
    expect(conditional.note).toMatch(/checked by the server only/);
    expect(conditional.schema.safeParse({ a: "x" }).success).toBe(false);
    const unreadable = mcpInputSchema(
      { type: "object", properties: { a: { $ref: "#/nowhere" } } },
      80,
    );
    expect(unreadable.note).toMatch(/could not be read/);
    expect(unreadable.schema.safeParse({ a: 1 }).success).toBe(true);
  });

  it("joins grammar-constrained decoding like a built-in tool", () => {
    const { schema } = mcpInputSchema(
      {
        type: "object",
        properties: { a: { type: "number" }, b: { type: "number" } },
        required: ["a", "b"],
      },
      80,
    );
    const tool = defineTool({
      name: "everything__get_sum",
      description: "Add.",
      inputSchema: schema,
      execute: () => 1,
    });
    const plan = planToolCallConstraint({
      tools: [tool],
      capabilities: { grammar: true },
      mode: "grammar",
    });
    expect(plan.mode).toBe("grammar");
    const grammar = plan.constraint?.type === "grammar" ? plan.constraint.grammar : "";
    expect(grammar).toContain('"\\"everything__get_sum\\""');
    // Both arguments are required numbers in the grammar: a call without them cannot be written.
    expect(grammar).toMatch(/args-everything-get-sum-0 ::= "\\"a\\"" ws ":" ws number/);
  });
});
