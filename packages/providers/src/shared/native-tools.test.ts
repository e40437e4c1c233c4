import { describe, expect, it } from "vitest";
import { createOpenAICompatible } from "../openai-compatible/openai-compatible-provider.js";
import { collect } from "../testing/collect.js";
import { ToolCallAssembler } from "./native-tools.js";

describe("ToolCallAssembler", () => {
  it("joins argument fragments by index, whatever order the calls interleave in", () => {
    const calls = new ToolCallAssembler();
    calls.push([{ index: 1, id: "b", function: { name: "two", arguments: "" } }]);
    calls.push([{ index: 0, id: "a", function: { name: "one", arguments: '{"p' } }]);
    calls.push([{ index: 1, function: { arguments: '{"q":' } }]);
    calls.push([{ index: 0, function: { arguments: '":1}' } }]);
    calls.push([{ index: 1, function: { name: "two", arguments: "2}" } }]);
    expect(calls.parts()).toEqual([
      { type: "tool-call", id: "a", name: "one", argsText: '{"p":1}' },
      { type: "tool-call", id: "b", name: "two", argsText: '{"q":2}' },
    ]);
  });

  it("takes arguments sent as an object, and calls sent whole without an index", () => {
    const calls = new ToolCallAssembler();
    calls.push([
      { function: { name: "one", arguments: { path: "a" } } },
      { function: { name: "two", arguments: {} } },
    ]);
    expect(calls.parts().map((part) => [part.name, part.argsText])).toEqual([
      ["one", '{"path":"a"}'],
      ["two", "{}"],
    ]);
  });

  it("ignores what is not a call list", () => {
    const calls = new ToolCallAssembler();
    calls.push(undefined);
    calls.push("x");
    calls.push([null, 3]);
    expect(calls.parts()).toEqual([]);
  });
});

it("refuses tools on a server configured without native tools, before any request", async () => {
  const provider = createOpenAICompatible({
    baseUrl: "http://127.0.0.1:9/v1",
    capabilities: { jsonSchema: true },
  });
  const got = await collect(
    provider.streamChat({
      messages: [{ role: "user", content: "go" }],
      tools: [{ name: "done", description: "Finish.", parameters: {} }],
    }),
  );
  expect(got.error?.code).toBe("unsupported");
  await provider.dispose();
});
