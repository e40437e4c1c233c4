// The browser bundle check's app: an Agent from @gemma-coder/core with a scripted model,
// a tool, and a rulebook found through an injected host (no file system). It sets
// globalThis.browserBundleResult to what the run returned.
import { Agent, defineTool } from "@gemma-coder/core";
import { createScriptedModel, toolCall } from "@gemma-coder/core/testing";
import { z } from "zod";

const files = new Map([["/work/AGENTS.md", "Always add two numbers with the add tool."]]);
const rulebookHost = {
  readText: async (file) => files.get(file),
  exists: async (file) => files.has(file) || file === "/work/.git",
  join: (...parts) => parts.join("/").replace(/\/+/g, "/"),
  dirname: (file) => file.slice(0, file.lastIndexOf("/")) || "/",
  resolve: (file) => file,
};

const add = defineTool({
  name: "add",
  description: "Add two numbers.",
  inputSchema: z.object({ a: z.number(), b: z.number() }),
  readOnly: true,
  execute: ({ a, b }) => a + b,
});

const model = createScriptedModel([
  toolCall("add", { a: 2, b: 3 }),
  toolCall("done", { summary: "2 + 3 = 5" }),
]);
const agent = new Agent({ provider: model, tools: [add], workspace: "/work", rulebookHost });
globalThis.browserBundleResult = agent.run("Add 2 and 3.").then(async (result) => ({
  status: result.status,
  summary: result.summary,
  toolResult: model.requests[1]?.messages.at(-1)?.content,
  rulesInPrompt: (await agent.systemPrompt()).includes("Always add two numbers"),
}));
