import { Agent, estimateTokens } from "@gemma-coder/core";
import { createScriptedModel } from "@gemma-coder/core/testing";
import { createTools } from "@gemma-coder/tools";
import { expect, it } from "vitest";

// The fixed part of every request (protocol, tool list, default rulebook) is paid on
// every turn by a small model with a 4k-8k window: it must stay under 1,500 tokens.
it("keeps the fixed prompt with the default tools and rulebook under 1,500 tokens", async () => {
  const agent = new Agent({
    provider: createScriptedModel([]),
    tools: createTools({ root: process.cwd() }),
  });
  const prompt = await agent.systemPrompt();
  expect(prompt).toContain("- read_file ");
  expect(prompt).toContain("- run_shell ");
  expect(prompt).toContain("Verify before done");
  expect(estimateTokens(prompt)).toBeLessThan(1_500);
});
