/**
 * A custom tool plugged into the agent, driven by the scripted model so it runs
 * with no model installed:
 *
 *   pnpm --filter @gemma-coder/examples custom-tool
 *
 * Swap `createScriptedModel([...])` for a real provider (e.g. `createOllama({ model })`)
 * and the same agent works against a real model.
 */
import { pathToFileURL } from "node:url";
import { Agent, defineTool, type RunResult } from "@gemma-coder/core";
import { createScriptedModel, toolCallText } from "@gemma-coder/core/testing";
import { z } from "zod";

/** A tool that counts the words of a text: the schema is the prompt, the validation and the type. */
export const wordCount = defineTool({
  name: "word_count",
  description: "Count the words in a text.",
  inputSchema: z.object({ text: z.string() }),
  readOnly: true,
  execute: ({ text }) => text.split(/\s+/).filter(Boolean).length,
});

/** Runs the example and returns the result and the tool results the model saw. */
export async function main(log: (line: string) => void = console.log): Promise<RunResult> {
  const model = createScriptedModel([
    `Let me count.\n${toolCallText("word_count", { text: "small models can code" })}`,
    toolCallText("done", { summary: "The text has 4 words." }),
  ]);
  const agent = new Agent({ provider: model, tools: [wordCount], rules: false });
  agent.on("tool-call", (e) => log(`→ ${e.name} ${JSON.stringify(e.args)}`));
  agent.on("tool-result", (e) => log(`← ${JSON.stringify(e.result)}`));
  const result = await agent.run("How many words are in 'small models can code'?");
  log(`${result.status}: ${result.summary ?? result.message}`);
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
