import { expect, it } from "vitest";

it("pins the runtime export list of @gemma-coder/mcp", async () => {
  expect(Object.keys(await import("./index.js")).sort()).toEqual([
    "MAX_TOOL_NAME_LENGTH",
    "PROMPT_BUDGET_SHARE",
    "createMcpTools",
    "formatCallResult",
    "isStdioServer",
    "killMcpServers",
    "mcpInputSchema",
    "mcpToolName",
    "parseMcpServers",
    "promptBudgetWarning",
    "shortenDescription",
  ]);
});
