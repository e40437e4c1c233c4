// `gemma-coder mcp` end to end: the real bin started by the official SDK's Client over
// stdio, as Claude Code or Codex would start it, running a full bug fix against a
// loopback model server.
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterEach, describe, expect, it } from "vitest";
import {
  bin,
  chatMessages,
  missingBuilds,
  plantVerifyCommands,
  processesMatching,
  until,
  useCliHarness,
} from "./__fixtures__/cli-harness.js";
import { call } from "./__fixtures__/model-server.mjs";

const cli = useCliHarness();
const clients: Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => undefined);
});

/** Starts `gemma-coder mcp` with the flags and connects the SDK's client to it. */
async function connect(flags: string[]): Promise<{ client: Client; pid: number }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, "mcp", ...flags],
    cwd: cli.repo,
    env: cli.baseEnv,
    stderr: "pipe",
  });
  const client = new Client({ name: "e2e-host", version: "1" });
  clients.push(client);
  await client.connect(transport);
  return { client, pid: transport.pid as number };
}

const FIX = [
  call("read_file", { path: "calc.py" }),
  call("edit_file", { path: "calc.py", old: "a - b", new: "a + b" }),
  call("done", { summary: "add() now adds." }),
];

interface Outcome {
  status: string;
  stopReason: string;
  summary: string;
  steps: number;
  refused: number;
  filesChanged: Array<{ path: string; change: string; diff: string }>;
}

describe.skipIf(missingBuilds.length > 0)("gemma-coder mcp (driven by the SDK's Client)", () => {
  it("lists run_task and runs a bug fix with --yes: summary, status, diff, progress", async () => {
    const model = await cli.server({ replies: FIX });
    const { client } = await connect(["--provider", "ollama", "--base-url", model.url, "--yes"]);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["run_task"]);
    expect(tools[0]?.inputSchema.required).toEqual(["task"]);
    const progress: Array<{ progress: number; message?: string | undefined }> = [];
    const result = await client.callTool(
      { name: "run_task", arguments: { task: "fix add() in calc.py" } },
      undefined,
      { onprogress: (p) => progress.push(p) },
    );
    const outcome = result.structuredContent as unknown as Outcome;
    expect(result.isError).toBeFalsy();
    expect(outcome.status).toBe("done");
    expect(outcome.summary).toBe("add() now adds.");
    expect(outcome.steps).toBe(3);
    expect(outcome.filesChanged.map((f) => [f.path, f.change])).toEqual([["calc.py", "modified"]]);
    expect(outcome.filesChanged[0]?.diff).toContain("-    return a - b\n+    return a + b");
    expect(cli.read("calc.py")).toBe("def add(a, b):\n    return a + b\n");
    const text = (result.content as Array<{ text: string }>)[0]?.text ?? "";
    expect(text).toContain("Status: done (done) after 3 steps.");
    expect(text).toContain("Summary: add() now adds.");
    expect(text).toContain("+++ b/calc.py");
    expect(progress.map((p) => p.message)).toContain("step 2: edit_file calc.py");
  });

  it("without --yes or --read-only, changes are refused and the result says so", async () => {
    const model = await cli.server({ replies: FIX });
    const { client } = await connect(["--provider", "ollama", "--base-url", model.url]);
    const result = await client.callTool({ name: "run_task", arguments: { task: "fix add()" } });
    const outcome = result.structuredContent as unknown as Outcome;
    expect(outcome.refused).toBe(1);
    expect(outcome.filesChanged).toEqual([]);
    expect(cli.read("calc.py")).toContain("a - b");
    const text = (result.content as Array<{ text: string }>)[0]?.text ?? "";
    expect(text).toContain("1 change was refused: gemma-coder mcp was started without --yes");
    // The model read the refusal too.
    const last = model.requests.at(-1)?.body as { messages: Array<{ content: string }> };
    expect(JSON.stringify(last.messages)).toContain("started without --yes");
  });

  it("with --read-only, only reading tools are offered", async () => {
    const model = await cli.server({ replies: [call("done", { summary: "looked" })] });
    const { client } = await connect([
      "--provider",
      "ollama",
      "--base-url",
      model.url,
      "--read-only",
    ]);
    const result = await client.callTool({
      name: "run_task",
      arguments: { task: "explain calc.py" },
    });
    expect((result.structuredContent as unknown as Outcome).status).toBe("done");
    const system = (model.requests.find((r) => r.path === "/api/chat")?.body as {
      messages: Array<{ content: string }>;
    }) ?? { messages: [] };
    expect(system.messages[0]?.content).toContain("- read_file");
    expect(system.messages[0]?.content).not.toContain("- edit_file");
  });

  it("with --mcp-config, the task's agent also has the tools of those MCP servers", async () => {
    const model = await cli.server({
      replies: [
        call("everything__echo", { message: "relay" }),
        call("done", { summary: "echoed" }),
      ],
    });
    const config = path.join(cli.root, "mcp.json");
    const everything = path.resolve(
      __dirname,
      "../../mcp/node_modules/@modelcontextprotocol/server-everything/dist/index.js",
    );
    writeFileSync(
      config,
      JSON.stringify({
        mcpServers: { everything: { command: process.execPath, args: [everything, "stdio"] } },
      }),
    );
    const { client } = await connect([
      "--provider",
      "ollama",
      "--base-url",
      model.url,
      "--mcp-config",
      config,
    ]);
    const result = await client.callTool({ name: "run_task", arguments: { task: "echo relay" } });
    expect((result.structuredContent as unknown as Outcome).status).toBe("done");
    const last = model.requests.at(-1)?.body as { messages: Array<{ content: string }> };
    expect(JSON.stringify(last.messages)).toContain("Echo: relay");
  });

  it("a cancellation from the host aborts the run (the model request is closed)", {
    timeout: 90_000,
  }, async () => {
    const model = await cli.server({ replies: [{ hang: true }] });
    const { client, pid } = await connect([
      "--provider",
      "ollama",
      "--base-url",
      model.url,
      "--yes",
    ]);
    const controller = new AbortController();
    const call = client.callTool(
      { name: "run_task", arguments: { task: "fix add()" } },
      undefined,
      { signal: controller.signal },
    );
    call.catch(() => undefined);
    // Cancelled while the model is answering (progress comes before the request is made).
    await until(() => model.openChats === 1, "the model request", 60_000);
    controller.abort(new Error("the host gave up"));
    await expect(call).rejects.toThrow(/the host gave up/);
    await until(() => model.abortedChats === 1, "the model request to be closed", 30_000);
    // The server is still there for the next task, and ends when the host closes it.
    expect(processesMatching(String(pid)).length).toBeGreaterThan(0);
    await clients.pop()?.close();
    await until(() => processesMatching(`${pid} `).length === 0, "the server to exit", 30_000);
  });

  it("the map leads the first request and the check after an edit reaches the tool result", async () => {
    // An untrusted project's verify command must not run; the user's own config's does.
    const { marker, userMarker } = plantVerifyCommands(cli);
    const model = await cli.server({
      replies: [
        call("edit_file", { path: "calc.py", old: "a - b", new: "(a + b" }),
        call("done", { summary: "fixed" }),
      ],
    });
    const { client } = await connect(["--provider", "ollama", "--base-url", model.url, "--yes"]);
    await client.callTool({ name: "run_task", arguments: { task: "fix add() in calc.py" } });
    const [first, second] = chatMessages(model);
    expect(first?.[1]?.content).toMatch(
      /^<repo_map>\n[\s\S]*calc\.py:\n1: def add\(a, b\)[\s\S]*<\/repo_map>\n\nfix add\(\) in calc\.py$/,
    );
    expect(second?.at(-1)?.content).toContain("Your edit left a syntax error in calc.py");
    expect(cli.read("calc.py")).toBe("def add(a, b):\n    return (a + b\n");
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(userMarker)).toBe(true);
  });
});
