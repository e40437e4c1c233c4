import { describe, expect, it } from "vitest";
import { isStdioServer, parseMcpServers } from "./server-config.js";

describe("parseMcpServers", () => {
  it("reads the usual mcpServers shapes, whole file or bare object", () => {
    const servers = parseMcpServers(
      {
        mcpServers: {
          fs: { command: "npx", args: ["-y", "x"], env: { A: "1" }, cwd: "sub", allow: ["read"] },
          web: {
            type: "http",
            url: "https://example.com/mcp",
            headers: { Authorization: "Bearer t" },
          },
        },
      },
      "a.json",
    );
    expect(isStdioServer(servers.fs as never)).toBe(true);
    expect(isStdioServer(servers.web as never)).toBe(false);
    expect(parseMcpServers({ a: { command: "x" } }, "b")).toEqual({ a: { command: "x" } });
  });

  it("rejects bad entries with a config error naming the entry", () => {
    expect(() => parseMcpServers({ a: { args: [] } }, "f.json")).toThrow(
      /The MCP servers in f.json are not valid: a: give either "command"/,
    );
    expect(() => parseMcpServers({ a: { command: "x", timeout: 5 } }, "f.json")).toThrow(
      /not valid/,
    );
    expect(() => parseMcpServers({ a: { url: "ftp://x" } }, "f.json")).toThrow(/not valid/);
    try {
      parseMcpServers([], "f");
    } catch (error) {
      expect((error as { code: string }).code).toBe("config");
    }
  });
});
