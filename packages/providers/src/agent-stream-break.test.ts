import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Agent, type AgentEvent } from "@gemma-coder/core";
import { createTools } from "@gemma-coder/tools";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createOllama } from "./ollama/ollama-provider.js";
import {
  type Handler,
  type LoopbackServer,
  startLoopbackServer,
} from "./testing/loopback-server.js";
import { ollamaWire } from "./testing/wire-formats.js";

// The model's reply: a write_file call in small pieces, one frame every 100 ms, so the
// whole reply takes about a second and a run left behind would write the file.
const CALL =
  '<tool>\n{"name": "write_file", "args": {"path": "out.txt", "content": "written"}}\n</tool>';
const PIECES = CALL.match(/.{1,8}/gs) ?? [];

/** Streams the reply frame by frame, pausing between frames, until the client goes away. */
const slowReply: Handler = async (_req, res) => {
  res.writeHead(200, { "content-type": ollamaWire.contentType });
  for (const frame of ollamaWire.frames(PIECES, { reason: "eos" })) {
    if (res.destroyed) return;
    res.write(frame);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  res.end();
};

describe("leaving agent.stream() early against a slow model server", () => {
  let server: LoopbackServer;
  let workspace: string;
  let outcomes: Promise<"finished" | "aborted">[];
  let requestArrived: Promise<void>;

  beforeEach(async () => {
    server = await startLoopbackServer();
    workspace = await mkdtemp(path.join(tmpdir(), "gc-stream-break-"));
    outcomes = [];
    let arrived: () => void = () => {};
    requestArrived = new Promise((resolve) => {
      arrived = resolve;
    });
    server.route("POST /api/chat", (req, res, request) => {
      outcomes.push(
        new Promise((resolve) =>
          res.once("close", () => resolve(res.writableFinished ? "finished" : "aborted")),
        ),
      );
      arrived();
      return slowReply(req, res, request);
    });
  });
  afterEach(async () => {
    await server.close();
    await rm(workspace, { recursive: true, force: true });
  });

  const agentFor = () =>
    new Agent({
      provider: createOllama({ baseUrl: server.url, model: "gemma4:e4b" }),
      tools: createTools({ root: workspace }),
      rules: false,
      contextWindow: 8192,
    });

  it("breaking after the first event: no file, no request left in flight, the run aborted", async () => {
    const agent = agentFor();
    const seen: AgentEvent["type"][] = [];
    for await (const event of agent.stream("Write out.txt")) {
      seen.push(event.type);
      break;
    }
    expect(seen).toEqual(["run-start"]);
    expect(agent.state).toBe("aborted");
    const chats = server.requestsFor("POST /api/chat");
    expect(chats.length).toBeLessThanOrEqual(1);
    expect(await Promise.all(outcomes)).toEqual(chats.map(() => "aborted"));
    expect(existsSync(path.join(workspace, "out.txt"))).toBe(false);
  });

  it("breaking while the request is in flight: the server sees it aborted and no other", async () => {
    const agent = agentFor();
    for await (const event of agent.stream("Write out.txt")) {
      // The server has the request and has sent the first frame of a one-second reply.
      if (event.type === "turn-start") {
        await requestArrived;
        break;
      }
    }
    expect(agent.state).toBe("aborted");
    expect(server.requestsFor("POST /api/chat")).toHaveLength(1);
    expect(await Promise.all(outcomes)).toEqual(["aborted"]);
    expect(existsSync(path.join(workspace, "out.txt"))).toBe(false);
  });
});
