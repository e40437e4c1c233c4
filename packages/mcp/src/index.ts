export type {
  McpHttpServerConfig,
  McpServerConfig,
  McpServersConfig,
  McpStdioServerConfig,
} from "./config/server-config.js";
export { isStdioServer, parseMcpServers } from "./config/server-config.js";
export type {
  CreateMcpToolsOptions,
  McpServerStatus,
  McpToolset,
  McpWarning,
} from "./create-mcp-tools.js";
export { createMcpTools } from "./create-mcp-tools.js";
export type { PromptBudgetOptions } from "./prompt-budget.js";
export { PROMPT_BUDGET_SHARE, promptBudgetWarning } from "./prompt-budget.js";
export type { McpCallResult } from "./tools/format-result.js";
export { formatCallResult } from "./tools/format-result.js";
export type { McpInputSchema } from "./tools/input-schema.js";
export { mcpInputSchema, shortenDescription } from "./tools/input-schema.js";
export { MAX_TOOL_NAME_LENGTH, mcpToolName } from "./tools/tool-name.js";
export { killMcpServers } from "./transport/process-transport.js";
