import { createServer, type Server as HttpServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createMcpTools } from "./create-mcp-tools.js";

let http: HttpServer;
let url: string;
const seenHeaders: Array<string | undefined> = [];

/** A loopback Streamable HTTP MCP server (stateless: one server per request). */
function mcpServer(): Server {
  const server = new Server({ name: "http-test", version: "1" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [
      {
        name: "shout",
        description: "Upper-case a word.",
        inputSchema: {
          type: "object",
          properties: { word: { type: "string" } },
          required: ["word"],
        },
        annotations: { readOnlyHint: true },
      },
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => ({
    content: [{ type: "text", text: String(request.params.arguments?.word).toUpperCase() }],
  }));
  return server;
}

beforeAll(async () => {
  http = createServer(async (req: IncomingMessage, res) => {
    seenHeaders.push(req.headers["x-team"] as string | undefined);
    const transport = new StreamableHTTPServerTransport({});
    res.on("close", () => void transport.close());
    await mcpServer().connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
});
afterAll(async () => {
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
});

it("reaches a Streamable HTTP server at its url, sending the configured headers", async () => {
  const toolset = await createMcpTools({
    servers: { remote: { url, headers: { "X-Team": "blue" } } },
  });
  try {
    expect(toolset.tools.map((t) => t.name)).toEqual(["remote__shout"]);
    const context = { signal: new AbortController().signal, runId: "r", step: 1 };
    expect(await toolset.tools[0]?.execute({ word: "hey" }, context)).toBe("HEY");
    expect(seenHeaders.length).toBeGreaterThan(0);
    expect(seenHeaders.every((value) => value === "blue")).toBe(true);
  } finally {
    await toolset.close();
  }
});

it("an unreachable url is a start failure with a warning, not an exception", async () => {
  const toolset = await createMcpTools({
    servers: { gone: { url: "http://127.0.0.1:9/mcp" } },
  });
  expect(toolset.tools).toEqual([]);
  expect(toolset.warnings[0]?.message).toMatch(
    /^The MCP server "gone" \(http:\/\/127\.0\.0\.1:9\/mcp\) could not be started/,
  );
  await toolset.close();
});
