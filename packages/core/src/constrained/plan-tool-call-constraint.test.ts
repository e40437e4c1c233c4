import { describe, expect, it } from "vitest";
import { parseGbnf } from "./__fixtures__/gbnf-matcher.js";
import { DEFAULT_SHAPES } from "./__fixtures__/tool-shapes.js";
import { planToolCallConstraint } from "./plan-tool-call-constraint.js";

const tools = DEFAULT_SHAPES;
const both = { grammar: true, jsonSchema: true };

describe("planToolCallConstraint", () => {
  it("uses nothing when off, and says nothing", () => {
    for (const mode of ["off", false] as const) {
      expect(planToolCallConstraint({ tools, capabilities: both, mode })).toEqual({
        mode: "off",
        protocol: "tags",
        stop: ["</tool>"],
      });
    }
  });

  it("prefers a grammar, with the tag protocol and its stop sequence", () => {
    const plan = planToolCallConstraint({
      tools,
      capabilities: both,
      mode: true,
      grammar: { maxPreambleChars: 0 },
    });
    expect(plan.mode).toBe("grammar");
    expect(plan.protocol).toBe("tags");
    expect(plan.stop).toEqual(["</tool>"]);
    expect(plan.warning).toBeUndefined();
    if (plan.constraint?.type !== "grammar") throw new Error("expected a grammar");
    const grammar = parseGbnf(plan.constraint.grammar);
    expect(grammar.matches('<tool>{"name": "done", "args": {"summary": "a"}}</tool>')).toBe(true);
    expect(grammar.matches('Hi <tool>{"name": "done", "args": {"summary": "a"}}</tool>')).toBe(
      false,
    );
  });

  it("uses a JSON schema, the JSON protocol and no stop sequence when that is all there is", () => {
    const plan = planToolCallConstraint({
      tools,
      capabilities: { jsonSchema: true },
      mode: "auto",
    });
    expect(plan.mode).toBe("json-schema");
    expect(plan.protocol).toBe("json");
    expect(plan.stop).toEqual([]);
    expect(plan.constraint?.type).toBe("json-schema");
    expect(planToolCallConstraint({ tools, capabilities: both, mode: "json-schema" }).mode).toBe(
      "json-schema",
    );
  });

  it.each([
    ["auto", {}, /"ollama" cannot enforce a grammar or a JSON schema/],
    ["auto", undefined, /cannot enforce a grammar or a JSON schema/],
    ["grammar", { jsonSchema: true }, /cannot enforce a grammar;/],
    ["json-schema", { grammar: true }, /cannot enforce a JSON schema;/],
  ] as const)("falls back to plain with a warning: %s on %j", (mode, capabilities, warning) => {
    const plan = planToolCallConstraint({ tools, capabilities, mode, providerId: "ollama" });
    expect(plan.mode).toBe("off");
    expect(plan.constraint).toBeUndefined();
    expect(plan.protocol).toBe("tags");
    expect(plan.stop).toEqual(["</tool>"]);
    expect(plan.warning).toMatch(warning);
    expect(plan.warning).toMatch(/plain tool-call protocol/);
  });
});
