import path from "node:path";
import type { AnyTool } from "@gemma-coder/core";
import { createMcpTools, killMcpServers, type McpWarning, parseMcpServers } from "@gemma-coder/mcp";
import type { McpServerSettings } from "./config/mcp-servers.js";

/** The MCP tools of a run and how to stop their servers. */
export interface RunMcpTools {
  /** The tools to offer (only the read-only ones with `--read-only`). */
  tools: AnyTool[];
  /** Warns when the system prompt is past its budget because of the MCP tools. */
  checkPromptBudget(systemPrompt: string, contextWindow: number): void;
  /** Stops every server. */
  close(): Promise<void>;
}

/** Options of {@link startMcpTools}. */
export interface StartMcpToolsOptions {
  /** The workspace: servers start there, and a relative `cwd` is resolved against it. */
  workspace: string;
  /** `--read-only`: only tools the servers annotate `readOnlyHint` are offered. */
  readOnly: boolean;
  /** Shows a warning (a server left out, the prompt budget). */
  warn: (warning: McpWarning) => void;
}

/** A server in a file we did not write ourselves gets its file named in messages. */
function sourceOf(settings: McpServerSettings, name: string): string {
  const file = settings.sources[name];
  return file ? path.normalize(file) : "the configuration";
}

let exitHookInstalled = false;

/**
 * Makes any exit of the process kill every MCP server still running. One hook for the
 * process, however many sets of servers start (an ACP connection starts one per session).
 */
function killMcpServersOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", killMcpServers);
}

/**
 * Starts the MCP servers of a run (`--mcp-config`, `mcpServers` in the config files) and
 * returns their tools. Each entry is checked first, so a bad one is a usage error before
 * anything starts; a server that fails to start is a warning and the run goes on. While
 * the servers run, an exit of the process (however it happens) kills them.
 *
 * @param settings - The merged servers and their files.
 * @param options - Workspace, read-only mode, where warnings go.
 * @returns The tools and `close()`.
 * @throws GemmaCoderError `config` for an invalid entry, naming its file.
 */
export async function startMcpTools(
  settings: McpServerSettings,
  options: StartMcpToolsOptions,
): Promise<RunMcpTools> {
  const servers = Object.fromEntries(
    Object.entries(settings.servers).map(([name, entry]) => [
      name,
      parseMcpServers({ [name]: entry }, sourceOf(settings, name))[name],
    ]),
  ) as ReturnType<typeof parseMcpServers>;
  killMcpServersOnExit();
  const toolset = await createMcpTools({
    servers,
    cwd: options.workspace,
    onWarning: options.warn,
  });
  return {
    tools: options.readOnly ? toolset.tools.filter((tool) => tool.readOnly) : toolset.tools,
    checkPromptBudget: (prompt, window) => void toolset.checkPromptBudget(prompt, window),
    close: () => toolset.close(),
  };
}
