import { defineTool } from "@gemma-coder/core";
import { expect, it } from "vitest";
import { z } from "zod";
import { promptBudgetWarning } from "./prompt-budget.js";

const tool = (name: string) =>
  defineTool({
    name,
    description: "d ".repeat(40),
    inputSchema: z.object({ a: z.string() }),
    execute: () => 1,
  });

it("warns when the prompt is past a quarter of the window, naming what each server costs", () => {
  const tools = [tool("big__a"), tool("big__b"), tool("small__c")];
  const toolServer = new Map([
    ["big__a", "big"],
    ["big__b", "big"],
    ["small__c", "small"],
  ]);
  const systemPrompt = "word ".repeat(600);
  const warning = promptBudgetWarning({ systemPrompt, contextWindow: 2048, tools, toolServer });
  expect(warning?.kind).toBe("prompt-budget");
  expect(warning?.message).toMatch(
    /over its budget of 512 \(a quarter of the 2048-token context window\)/,
  );
  expect(warning?.message).toMatch(/\(big ~\d+, small ~\d+\)/);
  expect(warning?.message).toContain('"allow" or "deny"');
  expect(
    promptBudgetWarning({ systemPrompt, contextWindow: 32_768, tools, toolServer }),
  ).toBeUndefined();
});
