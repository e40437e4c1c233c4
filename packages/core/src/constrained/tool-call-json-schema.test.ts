import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseReply } from "../protocol/parse-reply.js";
import { defineTool } from "../tools/define-tool.js";
import { doneTool } from "../tools/done-tool.js";
import { jsonStyle, validCall } from "./__fixtures__/call-arbitraries.js";
import { parseGbnf } from "./__fixtures__/gbnf-matcher.js";
import { DEFAULT_SHAPES } from "./__fixtures__/tool-shapes.js";
import {
  DEFAULT_MAX_LONG_STRING_CHARS,
  DEFAULT_MAX_STRING_CHARS,
  jsonSchemaToGbnf,
} from "./json-schema-to-gbnf.js";
import { buildToolCallJsonSchema, JSON_ONLY_PROTOCOL } from "./tool-call-json-schema.js";

const tools = [...DEFAULT_SHAPES, doneTool];
const toolNames = tools.map((t) => t.name);
const schema = buildToolCallJsonSchema(DEFAULT_SHAPES);
const grammar = parseGbnf(jsonSchemaToGbnf(schema));

type Variant = {
  properties: { name: { const: string }; args: Record<string, unknown> };
  required: string[];
  additionalProperties: boolean;
};

describe("buildToolCallJsonSchema", () => {
  it("caps every string argument: paths short, file content long, the schema's own bounds kept", () => {
    const args = (name: string) =>
      ((schema.anyOf as Variant[]).find((v) => v.properties.name.const === name)?.properties.args
        .properties ?? {}) as Record<string, { maxLength?: number; minLength?: number }>;
    expect(args("read_file").path?.maxLength).toBe(DEFAULT_MAX_STRING_CHARS);
    expect(args("search").pattern?.maxLength).toBe(DEFAULT_MAX_STRING_CHARS);
    expect(args("write_file").content?.maxLength).toBe(DEFAULT_MAX_LONG_STRING_CHARS);
    expect(args("done").summary).toMatchObject({
      minLength: 1,
      maxLength: DEFAULT_MAX_STRING_CHARS,
    });
    const own = defineTool({
      name: "tag",
      description: "Tags.",
      inputSchema: z.object({ label: z.string().max(8) }),
      execute: () => "ok",
    });
    const capped = buildToolCallJsonSchema([own], { maxLongStringChars: 100 });
    const label = (capped.anyOf as Variant[])[0]?.properties.args.properties as Record<
      string,
      { maxLength?: number }
    >;
    expect(label.label?.maxLength).toBe(8);
  });

  it("is an anyOf over {name: const, args: schema}, done included, objects closed", () => {
    const variants = schema.anyOf as Variant[];
    expect(variants.map((v) => v.properties.name.const)).toEqual(toolNames);
    for (const variant of variants) {
      expect(variant.required).toEqual(["name", "args"]);
      expect(variant.additionalProperties).toBe(false);
      expect(variant.properties.args.additionalProperties).toBe(false);
      expect(variant.properties.args.$schema).toBeUndefined();
    }
    const edit = variants.find((v) => v.properties.name.const === "edit_file");
    const edits = (edit!.properties.args.properties as Record<string, Record<string, unknown>>)
      .edits as { items: Record<string, unknown> };
    expect(edits.items.additionalProperties).toBe(false);
  });

  it("admits exactly the bare JSON calls, and parseReply reads each one as that call", () => {
    fc.assert(
      fc.property(validCall, jsonStyle, fc.constantFrom("", "\n"), (value, style, end) => {
        const reply = style(value) + end;
        expect(grammar.matches(style(value))).toBe(true);
        const parsed = parseReply(reply, { toolNames, finishReason: "stop" });
        expect(parsed).toEqual({ kind: "call", call: value });
      }),
      { numRuns: 200 },
    );
    for (const bad of [
      { name: "nope", args: {} },
      { name: "read_file", args: {} },
      { name: "done", args: { summary: "" } },
      { name: "done", args: { summary: "x" }, extra: 1 },
      { args: { summary: "x" }, name: "done" },
    ]) {
      expect(grammar.matches(JSON.stringify(bad)), JSON.stringify(bad)).toBe(false);
    }
    expect(grammar.matches('<tool>{"name": "done", "args": {"summary": "x"}}</tool>')).toBe(false);
  });

  it("hoists each tool's $defs under its own prefix and rewrites the references", () => {
    const node = z.object({ label: z.string() }).meta({ id: "node" });
    const a = defineTool({
      name: "a",
      description: "A.",
      inputSchema: z.object({ n: node }),
      execute: () => "",
    });
    const b = defineTool({
      name: "b",
      description: "B.",
      inputSchema: z.object({ n: z.number().meta({ id: "node" }) }),
      execute: () => "",
    });
    const built = buildToolCallJsonSchema([a, b]);
    const text = JSON.stringify(built);
    expect(Object.keys(built.$defs as object).sort()).toEqual(["a__node", "b__node"]);
    expect(text).toContain('"$ref":"#/$defs/a__node"');
    expect(text).toContain('"$ref":"#/$defs/b__node"');
    expect(text).not.toContain('"#/$defs/node"');
    const g = parseGbnf(jsonSchemaToGbnf(built));
    expect(g.matches('{"name":"a","args":{"n":{"label":"x"}}}')).toBe(true);
    expect(g.matches('{"name":"b","args":{"n":2}}')).toBe(true);
    expect(g.matches('{"name":"b","args":{"n":{"label":"x"}}}')).toBe(false);
  });

  it("ships protocol text that teaches the bare JSON shape parseReply accepts", () => {
    const example = /\{"name".*\}/.exec(JSON_ONLY_PROTOCOL)?.[0] as string;
    expect(parseReply(example, { toolNames: ["read_file"] })).toEqual({
      kind: "call",
      call: { name: "read_file", args: { path: "src/app.py" } },
    });
    expect(JSON_ONLY_PROTOCOL).not.toContain("<tool>");
  });
});
