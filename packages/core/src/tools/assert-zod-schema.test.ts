import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Agent } from "../agent/agent.js";
import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import { createScriptedModel } from "../testing/scripted-model.js";
import { ZOD_PEER_RANGE } from "./assert-zod-schema.js";
import { type AnyTool, defineTool } from "./define-tool.js";

/** The shape of a zod 3 object schema: `_def` and the parse methods, no `_zod`. */
const zod3Object = {
  _def: { typeName: "ZodObject", shape: () => ({}) },
  parse: (value: unknown) => value,
  safeParse: (value: unknown) => ({ success: true, data: value }),
};

/** A zod 4 core schema as zod 4.0 to 4.2 (and zod 3.25's `zod/v4`) build it. */
const olderZod4Object = {
  _zod: { version: { major: 4, minor: 0, patch: 0 }, def: { type: "object", shape: {} } },
  parse: (value: unknown) => value,
  safeParse: (value: unknown) => ({ success: true, data: value }),
};

function defineWith(inputSchema: unknown) {
  return () =>
    defineTool({
      name: "add",
      description: "Add.",
      inputSchema: inputSchema as z.ZodType,
      execute: () => 0,
    });
}

function caught(fn: () => unknown): GemmaCoderError {
  try {
    fn();
  } catch (error) {
    if (GemmaCoderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a GemmaCoderError");
}

describe("defineTool checks the schema's zod version", () => {
  it("states the supported range as the packages declare it", async () => {
    const manifest = await import("../../package.json", { with: { type: "json" } });
    expect(manifest.default.peerDependencies.zod).toBe(ZOD_PEER_RANGE);
  });

  it("accepts a schema from the installed zod", () => {
    expect(defineWith(z.object({ a: z.number() }))).not.toThrow();
  });

  it("rejects a zod 3 schema and says what to install", () => {
    const error = caught(defineWith(zod3Object));
    expect(error.code).toBe("unsupported");
    expect(error.message).toBe(
      `Tool "add": its inputSchema is a zod 3 schema. gemma-coder needs zod ${ZOD_PEER_RANGE} (a peer dependency): install it with \`npm install zod@${ZOD_PEER_RANGE}\` and build the schema with \`import { z } from "zod"\`.`,
    );
  });

  it("rejects a schema from a zod 4 older than the range, naming its version", () => {
    const error = caught(defineWith(olderZod4Object));
    expect(error.code).toBe("unsupported");
    expect(error.message).toContain("was built with zod 4.0.0, which is not supported");
    expect(error.message).toContain(`npm install zod@${ZOD_PEER_RANGE}`);
  });

  it.each([
    ["a JSON schema", { type: "object", properties: {} }],
    ["undefined", undefined],
    ["a string", "z.object()"],
  ])("rejects %s as not a zod schema", (_name, value) => {
    const error = caught(defineWith(value));
    expect(error.code).toBe("invalid-argument");
    expect(error.message).toContain("is not a zod schema");
    expect(error.message).toContain(`npm install zod@${ZOD_PEER_RANGE}`);
  });

  it("the Agent applies the same check to a tool built without defineTool", () => {
    const tool = { name: "old", description: "Old.", inputSchema: zod3Object, execute: () => 0 };
    const error = caught(
      () => new Agent({ provider: createScriptedModel([]), tools: [tool as unknown as AnyTool] }),
    );
    expect(error.code).toBe("unsupported");
    expect(error.message).toContain('Tool "old": its inputSchema is a zod 3 schema');
  });
});
