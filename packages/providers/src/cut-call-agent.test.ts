import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Agent } from "@gemma-coder/core";
import { createTools } from "@gemma-coder/tools";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { streamReply } from "./testing/fault-handlers.js";
import { type LoopbackServer, startLoopbackServer } from "./testing/loopback-server.js";
import { type DisposableProvider, WIRE_TARGETS } from "./testing/wire-targets.js";

// A stream that ends early but reports a normal stop (not "length") must not turn a cut
// call into one that runs: an Agent on each backend's wire format, with the real tools.

type Provider = DisposableProvider;
const targets = WIRE_TARGETS;

const ORIGINAL = "alpha\nbeta\ngamma\n";

/** Cut replies: each stops mid-call, and the stream then ends with a plain stop. */
const cuts: Array<{ name: string; pieces: string[] }> = [
  {
    name: "edit_file with 3 edits cut after the second",
    pieces: [
      "<tool>\n",
      '{"name": "edit_file", "args": {"path": "notes.txt", "old": "alpha", "new": "ALPHA", ',
      '"edits": [{"old": "beta", "new": "BETA"}, ',
    ],
  },
  {
    name: "run_shell cut after its command",
    pieces: ["<tool>\n", '{"name": "run_shell", "args": {"command": "echo cut > marker.txt"'],
  },
  {
    name: "run_shell as a bare JSON call cut before its last brace",
    pieces: ['{"name": "run_shell", "args": {"command": "echo cut > marker.txt"}'],
  },
  {
    name: "run_shell as a Gemma native call cut before its close",
    pieces: ['<|tool_call>call:run_shell{command:<|"|>echo cut > marker.txt<|"|>'],
  },
];

describe.each(targets)("$format.name: a call cut off mid-stream", (target) => {
  let server: LoopbackServer;
  let provider: Provider;
  let root: string;

  beforeEach(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), "gc-cut-call-"));
    writeFileSync(path.join(root, "notes.txt"), ORIGINAL);
    server = await startLoopbackServer();
    target.setup?.(server);
    provider = target.create(server.url, { retry: { maxRetries: 0 } });
  });
  afterEach(async () => {
    await provider.dispose();
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it.each(cuts)("does not run $name", async ({ pieces }) => {
    server.route(
      target.route,
      streamReply(target.format, pieces, { reason: "eos" }),
      streamReply(target.format, ['<tool>\n{"name": "done", "args": {"summary": "gave up"}}']),
    );
    const agent = new Agent({
      provider,
      tools: createTools({ root, approve: () => true }),
      rules: false,
      contextWindow: 8192,
    });
    const invalid: string[] = [];
    agent.on("invalid-reply", (event) => invalid.push(event.feedback));
    const called: string[] = [];
    agent.on("tool-call", (event) => called.push(event.name));

    const result = await agent.run("Edit notes.txt");

    expect(result.status).toBe("done");
    expect(called).toEqual(["done"]);
    expect(invalid).toHaveLength(1);
    expect(invalid[0]).toMatch(/incomplete/);
    expect(readFileSync(path.join(root, "notes.txt"), "utf8")).toBe(ORIGINAL);
    expect(existsSync(path.join(root, "marker.txt"))).toBe(false);
    expect(server.requestsFor(target.route)).toHaveLength(2);
  });
});
