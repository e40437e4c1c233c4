import { describe, expect, it } from "vitest";
import { EDITOR_SOURCE, readEditorMcpServers, sessionMcpServers } from "./editor-mcp-servers.js";

describe("readEditorMcpServers", () => {
  it("turns ACP's env and header lists into config entries", async () => {
    const read = await readEditorMcpServers([
      {
        name: "local",
        command: "/usr/bin/node",
        args: ["server.js"],
        env: [{ name: "TOKEN", value: "t" }],
      },
      {
        type: "http",
        name: "remote",
        url: "http://127.0.0.1:8080/mcp",
        headers: [{ name: "Authorization", value: "Bearer x" }],
      },
    ]);
    expect(read.problems).toEqual([]);
    expect(read.servers).toEqual({
      local: { command: "/usr/bin/node", args: ["server.js"], env: { TOKEN: "t" } },
      remote: {
        type: "http",
        url: "http://127.0.0.1:8080/mcp",
        headers: { Authorization: "Bearer x" },
      },
    });
  });

  it("leaves out SSE and invalid entries with a sentence naming each", async () => {
    const read = await readEditorMcpServers([
      { type: "sse", name: "old", url: "http://127.0.0.1:1/sse", headers: [] },
      { name: "blank", command: "", args: [], env: [] },
      { type: "http", name: "ftp", url: "ftp://example.test/", headers: [] },
    ]);
    expect(read.servers).toEqual({});
    expect(read.problems).toHaveLength(3);
    expect(read.problems[0]).toMatch(/"old" from the editor uses SSE/);
    expect(read.problems[1]).toMatch(/"blank" from the editor was left out: .*blank\.command/);
    expect(read.problems[2]).toMatch(/"ftp" from the editor was left out/);
  });
});

describe("sessionMcpServers", () => {
  it("adds the editor's servers after the configured ones; the editor's wins a shared name", () => {
    const configured = {
      servers: { docs: { command: "docs" }, shared: { command: "from-config" } },
      sources: {
        docs: "/home/u/.config/gemma-coder/config.json",
        shared: "/p/.gemma-coder/config.json",
      },
    };
    const merged = sessionMcpServers(configured, { shared: { command: "from-editor" } });
    expect(merged?.servers).toEqual({
      docs: { command: "docs" },
      shared: { command: "from-editor" },
    });
    expect(merged?.sources.shared).toBe(EDITOR_SOURCE);
    expect(merged?.sources.docs).toBe(configured.sources.docs);
  });

  it("is undefined when neither has a server", () => {
    expect(sessionMcpServers(undefined, {})).toBeUndefined();
  });
});
