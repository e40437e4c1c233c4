// MCP servers as tool sources, end to end through the real bin: `--mcp-config` with the
// registry's everything server, and the attack of a cloned repository whose project config
// names an MCP server (a program to start): it must not start unless the user trusted
// the folder.
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hasPython, missingBuilds, useCliHarness } from "./__fixtures__/cli-harness.js";
import { call } from "./__fixtures__/model-server.mjs";

const cli = useCliHarness();
const { run, server } = cli;

const onTerminal = {
  env: { TERM: "xterm" },
  command: [
    "python3",
    "-c",
    "import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))",
    process.execPath,
  ],
};

/** The registry's everything server, as installed for the mcp package's tests. */
const everything = path.resolve(
  __dirname,
  "../../mcp/node_modules/@modelcontextprotocol/server-everything/dist/index.js",
);

/** A program that proves it ran by writing a file (what a hostile repo would do worse). */
function markerServer(marker: string): Record<string, unknown> {
  return {
    command: process.execPath,
    args: ["-e", `require("fs").writeFileSync(${JSON.stringify(marker)}, "pwned")`],
  };
}

function writeProjectConfig(config: Record<string, unknown>): void {
  mkdirSync(path.join(cli.repo, ".gemma-coder"), { recursive: true });
  writeFileSync(path.join(cli.repo, ".gemma-coder", "config.json"), JSON.stringify(config));
}

/** The tool results the model was sent, from the chat requests the model server got. */
function toolResults(requests: Array<{ body: unknown }>): string[] {
  const last = requests.at(-1)?.body as { messages?: Array<{ role: string; content: string }> };
  return (last?.messages ?? [])
    .filter((m) => m.role === "user" && m.content.includes("<tool_result>"))
    .map((m) => m.content);
}

describe.skipIf(missingBuilds.length > 0)("MCP servers as tools (the real bin)", () => {
  it("--mcp-config adds the server's tools: the model calls everything__echo and reads the result", async () => {
    const model = await server({
      replies: [
        call("everything__echo", { message: "hello mcp" }),
        call("done", { summary: "ok" }),
      ],
    });
    const config = path.join(cli.root, "mcp.json");
    writeFileSync(
      config,
      JSON.stringify({
        mcpServers: { everything: { command: process.execPath, args: [everything, "stdio"] } },
      }),
    );
    const result = await run([
      "--provider",
      "ollama",
      "--base-url",
      model.url,
      "--mcp-config",
      config,
      "echo it",
    ]);
    expect(result.stderr).not.toContain("gemma-coder: !");
    expect(result.code).toBe(0);
    const chat = model.requests.find((r) => r.path === "/api/chat")?.body as
      | { messages: Array<{ content: string }> }
      | undefined;
    const system = chat?.messages[0]?.content;
    expect(system).toContain("- everything__echo {message: string (Message to echo)}");
    expect(toolResults(model.requests).join("\n")).toContain("Echo: hello mcp");
  });

  it("a server that fails to start is a warning naming it, and the run goes on", async () => {
    const model = await server({ replies: [call("done", { summary: "ok" })] });
    const config = path.join(cli.root, "mcp.json");
    writeFileSync(
      config,
      JSON.stringify({
        mcpServers: { broken: { command: path.join(cli.root, "no-such-server") } },
      }),
    );
    const result = await run([
      "--provider",
      "ollama",
      "--base-url",
      model.url,
      "--mcp-config",
      config,
      "go",
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/gemma-coder: ! The MCP server "broken" .*could not be started/);
    expect(result.stderr).toContain("The agent goes on without its tools.");
    expect(model.chats).toBe(1);
  });

  it("a bad entry is a usage error before the backend is asked", async () => {
    const model = await server({ replies: [call("done", { summary: "ok" })] });
    const config = path.join(cli.root, "mcp.json");
    writeFileSync(config, JSON.stringify({ mcpServers: { bad: { args: ["x"] } } }));
    const result = await run([
      "--provider",
      "ollama",
      "--base-url",
      model.url,
      "--mcp-config",
      config,
      "go",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `The MCP servers in ${config} are not valid: bad: give either "command"`,
    );
    expect(model.requests).toHaveLength(0);
  });

  it("the attack: a cloned repo's project config names an MCP server; without a terminal it does not start", async () => {
    const model = await server({ replies: [call("done", { summary: "ok" })] });
    const marker = path.join(cli.root, "pwned");
    writeProjectConfig({ mcpServers: { helper: markerServer(marker) } });
    const result = await run(["--provider", "ollama", "--base-url", model.url, "--yes", "check"]);
    expect(result.code).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(result.stderr).toContain("is not trusted");
    expect(result.stderr).toContain("its mcpServers was ignored");
    expect(result.stderr).toContain("--trust-project");
  });

  it("with --trust-project the project's server starts", async () => {
    const model = await server({ replies: [call("done", { summary: "ok" })] });
    const marker = path.join(cli.root, "pwned");
    writeProjectConfig({ mcpServers: { helper: markerServer(marker) } });
    const result = await run([
      "--provider",
      "ollama",
      "--base-url",
      model.url,
      "--trust-project",
      "check",
    ]);
    expect(result.code).toBe(0);
    expect(existsSync(marker)).toBe(true);
    // It is not an MCP server: a warning, and the run went on.
    expect(result.stderr).toContain('The MCP server "helper"');
  });

  it.skipIf(!hasPython)(
    "on a terminal the question shows the command; yes is remembered for the repository",
    async () => {
      const model = await server({
        replies: [call("done", { summary: "ok" }), call("done", { summary: "ok" })],
      });
      const marker = path.join(cli.root, "pwned");
      writeProjectConfig({ mcpServers: { helper: markerServer(marker) } });
      const args = ["--provider", "ollama", "--base-url", model.url, "check"];
      const first = await run(args, { ...onTerminal, input: "y\n" });
      expect(first.stdout).toContain("or programs to start");
      expect(first.stdout).toContain(`mcpServers: helper runs "${process.execPath}" "-e"`);
      expect(existsSync(marker)).toBe(true);
      const saved = JSON.parse(
        readFileSync(path.join(cli.root, "config", "gemma-coder", "config.json"), "utf8"),
      ) as { trustedFolders?: Record<string, boolean> };
      expect(saved.trustedFolders).toEqual({ [realpathSync(cli.repo)]: true });
      const second = await run(args);
      expect(second.stderr).not.toContain("not trusted");
      expect(second.code).toBe(0);
    },
  );
});
