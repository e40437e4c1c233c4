import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Agent, type AnyTool, toolInputJsonSchema } from "@gemma-coder/core";
import { createScriptedModel, toolCallText } from "@gemma-coder/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { everythingServer, filesystemServer } from "./__fixtures__/servers.js";
import { createMcpTools, type McpToolset } from "./create-mcp-tools.js";

const context = { signal: new AbortController().signal, runId: "r", step: 1 };

function byName(toolset: McpToolset, name: string): AnyTool {
  const tool = toolset.tools.find((t) => t.name === name);
  if (!tool) throw new Error(`no tool ${name} in ${toolset.tools.map((t) => t.name).join(", ")}`);
  return tool;
}

describe("createMcpTools with the registry's everything and filesystem servers", () => {
  let toolset: McpToolset;
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), "gc-mcp-fs-"));
    writeFileSync(path.join(root, "notes.txt"), "first line\nsecond line\n");
    toolset = await createMcpTools({
      servers: {
        everything: { ...everythingServer(), deny: ["toggle-simulated-logging"] },
        files: { ...filesystemServer(root), allow: ["read_text_file", "write_file"] },
      },
    });
  });
  afterAll(async () => {
    await toolset?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("names the tools <server>__<tool>, sanitised, and applies allow and deny lists", () => {
    const names = toolset.tools.map((t) => t.name);
    expect(names).toContain("everything__get_sum");
    expect(names).toContain("everything__echo");
    expect(names).not.toContain("everything__toggle_simulated_logging");
    expect(names.filter((n) => n.startsWith("files__")).sort()).toEqual([
      "files__read_text_file",
      "files__write_file",
    ]);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]{0,63}$/);
    expect(toolset.servers.map((s) => [s.name, s.status])).toEqual([
      ["everything", "ready"],
      ["files", "ready"],
    ]);
    expect(toolset.warnings).toEqual([]);
  });

  it("calls tools and returns their text (echo, get-sum)", async () => {
    expect(await byName(toolset, "everything__echo").execute({ message: "hi" }, context)).toBe(
      "Echo: hi",
    );
    const sum = await byName(toolset, "everything__get_sum").execute({ a: 2, b: 3 }, context);
    expect(String(sum)).toContain("5");
  });

  it("returns structured content, and describes images and resources in text", async () => {
    const weather = await byName(toolset, "everything__get_structured_content").execute(
      { location: "Chicago" },
      context,
    );
    expect(String(weather)).toMatch(/"temperature":/);
    const image = String(await byName(toolset, "everything__get_tiny_image").execute({}, context));
    expect(image).toMatch(/\[image: image\/png, \d+ bytes, not shown\]/);
    expect(image).not.toMatch(/iVBOR/);
    const resource = String(
      await byName(toolset, "everything__get_resource_reference").execute(
        { resourceType: "Text", resourceId: 1 },
        context,
      ),
    );
    expect(resource).toMatch(/\[resource [^\]]+\]/);
  });

  it("marks only tools the server annotates readOnlyHint as read-only", () => {
    expect(byName(toolset, "files__read_text_file").readOnly).toBe(true);
    expect(byName(toolset, "files__write_file").readOnly).toBe(false);
    expect(byName(toolset, "everything__echo").readOnly).toBe(true);
    expect(byName(toolset, "everything__toggle_subscriber_updates").readOnly).toBe(false);
  });

  it("keeps descriptions short enough for a small model's prompt", () => {
    for (const tool of toolset.tools) expect(tool.description.length).toBeLessThanOrEqual(160);
  });

  it("carries the JSON Schema into the tool (prompt line and constrained-decoding schema)", () => {
    const schema = toolInputJsonSchema(byName(toolset, "everything__get_sum")) as {
      properties: Record<string, { type: string }>;
      required: string[];
    };
    expect(schema.properties.a?.type).toBe("number");
    expect(schema.required).toEqual(["a", "b"]);
  });

  it("runs in an Agent: a bad call gets the built-in feedback, approval guards writes", async () => {
    const provider = createScriptedModel([
      toolCallText("everything__get_sum", { a: "two", b: 3 }),
      toolCallText("everything__get_sum", { a: 2, b: 3 }),
      toolCallText("files__write_file", { path: path.join(root, "out.txt"), content: "x" }),
      toolCallText("done", { summary: "ok" }),
    ]);
    const asked: string[] = [];
    const agent = new Agent({
      provider,
      tools: toolset.tools,
      rules: false,
      approve: ({ tool }) => {
        asked.push(tool);
        return { allow: false, reason: "not now" };
      },
    });
    const prompt = await agent.systemPrompt();
    expect(prompt).toContain("- everything__get_sum {a: number (First number), b: number");
    const feedback: string[] = [];
    agent.on("invalid-reply", (e) => feedback.push(e.feedback));
    const results: Array<{ name: string; ok: boolean }> = [];
    agent.on("tool-result", (e) => results.push({ name: e.name, ok: e.result.ok }));
    const result = await agent.run("add and write");
    expect(result.status).toBe("done");
    expect(feedback[0]).toMatch(/^Invalid arguments for everything__get_sum: a: expected number/);
    expect(feedback[0]).toContain("Usage: everything__get_sum {a: number");
    expect(results).toEqual([
      { name: "everything__get_sum", ok: true },
      { name: "files__write_file", ok: false },
      { name: "done", ok: true },
    ]);
    expect(asked).toEqual(["files__write_file"]);
    expect(() => readFileSync(path.join(root, "out.txt"))).toThrow();
  });

  it("aborts a long-running call when the run is aborted", async () => {
    const controller = new AbortController();
    const call = byName(toolset, "everything__trigger_long_running_operation").execute(
      { duration: 600, steps: 600 },
      { ...context, signal: controller.signal },
    );
    controller.abort(new Error("stop"));
    await expect(call).rejects.toThrow();
    // The server is still usable after the cancellation.
    expect(await byName(toolset, "everything__echo").execute({ message: "a" }, context)).toBe(
      "Echo: a",
    );
  });
});
