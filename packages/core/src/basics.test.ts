import { expect, it } from "vitest";
import * as basics from "./basics.js";
import * as root from "./index.js";

it("pins the runtime export list of @gemma-coder/core/basics: the root's own objects", () => {
  expect(Object.keys(basics).sort()).toEqual([
    "GemmaCoderError",
    "estimateTokens",
    "repoMapBudget",
  ]);
  expect(basics.GemmaCoderError).toBe(root.GemmaCoderError);
  expect(basics.estimateTokens).toBe(root.estimateTokens);
  expect(basics.repoMapBudget).toBe(root.repoMapBudget);
});
