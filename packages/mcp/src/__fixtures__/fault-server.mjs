#!/usr/bin/env node
// A small stdio MCP server that misbehaves on purpose, for the fault tests.
// Usage: node fault-server.mjs <mode> [state-file]
//   ok          tools: echo, crash (exits mid-call), hang (never answers), huge (5 MB of text),
//               fail (isError), shape (image + resource + structured content)
//   exit        writes an error and exits before the handshake
//   silent      never answers the handshake
//   stubborn    like ok, but ignores end of input and SIGTERM, and starts a child that
//               does the same (both pids appended to the state file)
// Every start appends "start <pid>" to the state file when one is given.
import { appendFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const [mode = "ok", stateFile] = process.argv.slice(2);
const note = (line) => stateFile && appendFileSync(stateFile, `${line}\n`);
note(`start ${process.pid}`);

if (mode === "exit") {
  process.stderr.write("fault-server: cannot open the database /nonexistent/db.sqlite\n");
  process.exit(3);
}
if (mode === "silent") {
  process.stdin.resume();
  setInterval(() => {}, 1 << 30);
} else {
  if (mode === "stubborn") {
    process.on("SIGTERM", () => note("ignored SIGTERM"));
    const child = spawn(
      process.execPath,
      ["-e", "process.on('SIGTERM',()=>{});setInterval(()=>{},1<<30)"],
      { stdio: "ignore" },
    );
    note(`child ${child.pid}`);
    // Keeps running after stdin ends, as a badly written server does.
    setInterval(() => {}, 1 << 30);
  }
  const tool = (name, description, properties = {}, required = []) => ({
    name,
    description,
    inputSchema: { type: "object", properties, required },
  });
  const server = new Server({ name: "fault-server", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [
      { ...tool("echo", "Echo a message.", { message: { type: "string" } }, ["message"]), annotations: { readOnlyHint: true } },
      tool("crash", "Exit in the middle of the call."),
      tool("hang", "Never answer."),
      tool("huge", "Return five megabytes of text."),
      tool("fail", "Return a result flagged as an error."),
      tool("shape", "Return an image, a resource and structured content."),
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const name = request.params.name;
    note(`call ${name}`);
    if (name === "echo") return { content: [{ type: "text", text: `echo: ${request.params.arguments?.message}` }] };
    if (name === "crash") {
      process.stderr.write("fault-server: segmentation fault in handler\n");
      setTimeout(() => process.exit(1), 10);
      return new Promise(() => {});
    }
    if (name === "hang") return new Promise(() => {});
    if (name === "huge") return { content: [{ type: "text", text: `BEGIN${"x".repeat(5 * 1024 * 1024)}END` }] };
    if (name === "fail") return { isError: true, content: [{ type: "text", text: "The table users does not exist." }] };
    return {
      content: [
        { type: "image", data: Buffer.from("not really a png").toString("base64"), mimeType: "image/png" },
        { type: "resource", resource: { uri: "file:///notes.txt", mimeType: "text/plain", text: "hello from a resource" } },
      ],
      structuredContent: { temperature: 21, unit: "C" },
    };
  });
  await server.connect(new StdioServerTransport());
}
