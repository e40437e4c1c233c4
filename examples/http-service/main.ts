/**
 * An agent embedded in an HTTP service that streams its events to the client as
 * newline-delimited JSON.
 *
 *   pnpm --filter @gemma-coder/examples http-service      # then:
 *   curl -N -X POST localhost:8787/runs -d '{"task":"count the words in hello.txt"}'
 *
 * It uses the scripted model so it runs anywhere; set OLLAMA_MODEL to use Ollama instead.
 * Closing the connection aborts the run.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Agent, type ModelProvider } from "@gemma-coder/core";
import { createScriptedModel, toolCallText } from "@gemma-coder/core/testing";
import { createOllama } from "@gemma-coder/providers/ollama";
import { createTools } from "@gemma-coder/tools";

async function readJson(req: IncomingMessage): Promise<unknown> {
  let body = "";
  for await (const chunk of req) body += chunk;
  return JSON.parse(body || "{}");
}

/** Options of {@link createAgentService}. */
export interface AgentServiceOptions {
  /** The workspace the agent works in (read-only here: the service offers only read tools). */
  root: string;
  /** A provider per run. */
  provider: () => ModelProvider;
}

/** Creates the service: POST /runs with `{ "task": "..." }` streams the run's events. */
export function createAgentService(options: AgentServiceOptions): Server {
  return createServer(async (req, res) => {
    if (req.method !== "POST" || req.url !== "/runs") {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"POST /runs"}');
      return;
    }
    let task: unknown;
    try {
      task = ((await readJson(req)) as { task?: unknown }).task;
    } catch {
      task = undefined;
    }
    if (typeof task !== "string" || task.trim() === "") {
      res
        .writeHead(400, { "content-type": "application/json" })
        .end('{"error":"body must be {\\"task\\": \\"...\\"}"}');
      return;
    }
    // The client going away stops the model request and any running tool.
    const controller = new AbortController();
    res.on("close", () => controller.abort());
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    const agent = new Agent({
      provider: options.provider(),
      tools: createTools({ root: options.root, readOnly: true }),
      workspace: options.root,
    });
    for await (const event of agent.stream(task, { signal: controller.signal })) {
      const line =
        event.type === "done"
          ? { type: "done", result: { ...event.result, messages: undefined } }
          : event;
      res.write(`${JSON.stringify(line)}\n`);
    }
    res.end();
  });
}

/** The scripted conversation used when no real model is configured. */
export const SCRIPT = [
  toolCallText("read_file", { path: "hello.txt" }),
  toolCallText("done", { summary: "hello.txt has 5 words." }),
];

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = mkdtempSync(join(tmpdir(), "gc-http-service-"));
  writeFileSync(join(root, "hello.txt"), "small models can code too\n");
  const model = process.env.OLLAMA_MODEL;
  const server = createAgentService({
    root,
    provider: () => (model ? createOllama({ model }) : createScriptedModel(SCRIPT)),
  });
  server.listen(8787, () => console.log(`POST http://localhost:8787/runs (workspace ${root})`));
}
