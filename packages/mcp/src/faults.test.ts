import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type AnyTool, DEFAULT_MAX_RESULT_CHARS } from "@gemma-coder/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { faultServer, isRunning, statePids } from "./__fixtures__/servers.js";
import { createMcpTools, type McpToolset, type McpWarning } from "./create-mcp-tools.js";

const context = { signal: new AbortController().signal, runId: "r", step: 1 };
let dir: string;
let open: McpToolset[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "gc-mcp-faults-"));
});
afterEach(async () => {
  await Promise.all(open.map((t) => t.close()));
  open = [];
  rmSync(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof createMcpTools>[0]): Promise<McpToolset> {
  const toolset = await createMcpTools(options);
  open.push(toolset);
  return toolset;
}

function tool(toolset: McpToolset, name: string): AnyTool {
  const found = toolset.tools.find((t) => t.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
}

describe("MCP server faults", () => {
  it("a server that fails to start is left out with a warning naming it; the others work", async () => {
    const warnings: McpWarning[] = [];
    const toolset = await start({
      servers: {
        broken: faultServer("exit"),
        missing: { command: path.join(dir, "no-such-program") },
        good: faultServer("ok"),
      },
      onWarning: (w) => warnings.push(w),
    });
    expect(toolset.tools.map((t) => t.name)).toContain("good__echo");
    expect(toolset.tools.some((t) => t.name.startsWith("broken__"))).toBe(false);
    expect(toolset.servers.map((s) => [s.name, s.status])).toEqual([
      ["broken", "failed"],
      ["missing", "failed"],
      ["good", "ready"],
    ]);
    expect(warnings.map((w) => [w.server, w.kind])).toEqual([
      ["broken", "start"],
      ["missing", "start"],
    ]);
    expect(warnings[0]?.message).toMatch(/^The MCP server "broken" \(.*fault-server\.mjs exit\)/);
    expect(warnings[0]?.message).toContain("cannot open the database /nonexistent/db.sqlite");
    expect(warnings[0]?.message).toContain("The agent goes on without its tools.");
    expect(warnings[1]?.message).toMatch(/"missing" .*could not be started: .*ENOENT/);
    expect(await tool(toolset, "good__echo").execute({ message: "x" }, context)).toBe("echo: x");
  });

  it("a server that never answers the handshake is stopped at its start timeout", async () => {
    const state = path.join(dir, "state");
    const toolset = await start({
      servers: { mute: { ...faultServer("silent", state), startTimeoutMs: 500 } },
    });
    expect(toolset.servers[0]?.status).toBe("failed");
    expect(toolset.warnings[0]?.message).toContain('"mute"');
    expect(toolset.warnings[0]?.message).toContain("did not answer within 500ms of starting");
    for (const pid of statePids(state, "start")) expect(isRunning(pid)).toBe(false);
  });

  it("a call the server never answers fails at the server's timeout, and the server stays usable", async () => {
    const toolset = await start({ servers: { slow: { ...faultServer("ok"), timeoutMs: 300 } } });
    await expect(tool(toolset, "slow__hang").execute({}, context)).rejects.toThrow(
      /The MCP server "slow" did not answer hang within 300ms, so the call was cancelled/,
    );
    expect(await tool(toolset, "slow__echo").execute({ message: "y" }, context)).toBe("echo: y");
  });

  it("a crash mid-call gives an actionable failure, the next call restarts the server once", async () => {
    const state = path.join(dir, "state");
    const toolset = await start({ servers: { flaky: faultServer("ok", state) } });
    const crash = tool(toolset, "flaky__crash");
    const echo = tool(toolset, "flaky__echo");
    const first = crash.execute({}, context);
    await expect(first).rejects.toThrow(/The MCP server "flaky" stopped while running crash/);
    await expect(first).rejects.toThrow(/segmentation fault in handler/);
    await expect(first).rejects.toThrow(/started again on the next call/);
    expect(await echo.execute({ message: "back" }, context)).toBe("echo: back");
    expect(statePids(state, "start")).toHaveLength(2);
    // A second crash leaves it down for good.
    await expect(crash.execute({}, context)).rejects.toThrow(/will not be restarted again/);
    await expect(echo.execute({ message: "z" }, context)).rejects.toThrow(
      /stopped again and was not restarted/,
    );
    expect(statePids(state, "start")).toHaveLength(2);
  });

  it("a server that ignores the end of its input and SIGTERM is killed with its children", async () => {
    const state = path.join(dir, "state");
    const toolset = await createMcpTools({
      servers: { stubborn: faultServer("stubborn", state) },
      closeGraceMs: 200,
    });
    const pids = [...statePids(state, "start"), ...statePids(state, "child")];
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(isRunning(pid)).toBe(true);
    await toolset.close();
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
  });

  it("a huge result stays bounded, head and tail kept", async () => {
    const toolset = await start({ servers: { big: faultServer("ok") } });
    const text = String(await tool(toolset, "big__huge").execute({}, context));
    expect(text.length).toBeLessThanOrEqual(DEFAULT_MAX_RESULT_CHARS + 100);
    expect(text.startsWith("BEGIN")).toBe(true);
    expect(text.endsWith("END")).toBe(true);
    expect(text).toMatch(/characters omitted/);
  });

  it("a message past maxMessageBytes stops the server instead of growing memory", async () => {
    const toolset = await start({
      servers: { big: faultServer("ok") },
      maxMessageBytes: 1024 * 1024,
    });
    await expect(tool(toolset, "big__huge").execute({}, context)).rejects.toThrow(
      /The MCP server "big" stopped while running huge/,
    );
  });

  it("isError becomes a failed tool result; other content is described", async () => {
    const toolset = await start({ servers: { s: faultServer("ok") } });
    await expect(tool(toolset, "s__fail").execute({}, context)).rejects.toThrow(
      "The table users does not exist.",
    );
    const shape = String(await tool(toolset, "s__shape").execute({}, context));
    expect(shape).toContain("[image: image/png, 16 bytes, not shown]");
    expect(shape).toContain("[resource file:///notes.txt]\nhello from a resource");
    expect(shape).toContain('{"temperature":21,"unit":"C"}');
  });

  it("close() leaves no server process behind", async () => {
    const state = path.join(dir, "state");
    const toolset = await createMcpTools({ servers: { a: faultServer("ok", state) } });
    const [pid] = statePids(state, "start");
    expect(pid !== undefined && isRunning(pid)).toBe(true);
    await toolset.close();
    expect(isRunning(pid as number)).toBe(false);
    expect(readFileSync(state, "utf8")).not.toContain("call");
  });
});
