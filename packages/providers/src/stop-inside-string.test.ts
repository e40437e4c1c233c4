import { Agent, defineTool } from "@gemma-coder/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type LoopbackServer, startLoopbackServer } from "./testing/loopback-server.js";
import { type GenerationLog, stopHonouringReply } from "./testing/stop-honouring.js";
import { type DisposableProvider, WIRE_TARGETS } from "./testing/wire-targets.js";

// The agent writing docs about its own protocol: a call whose JSON string holds "</tool>".
// The parser ends the call where its JSON ends, but a server given "</tool>" as a stop
// sequence stops at the first one it generates, inside the string. Each backend's server
// is emulated honouring stop sequences as the real ones do.

const DOC = "A call ends with </tool> on its own line.";

/** About a token per piece, as the model would sample them. */
const tokens = (text: string) => text.match(/<\/?tool>|[A-Za-z_]+|\s+|[^\sA-Za-z_]/g) ?? [];

const writeDoc = tokens(
  `<tool>\n${JSON.stringify({ name: "note", args: { path: "docs/protocol.md", text: DOC } })}\n</tool>`,
);
const finish = tokens(
  `<tool>\n${JSON.stringify({ name: "done", args: { summary: "ok" } })}\n</tool>`,
);

describe.each(WIRE_TARGETS)("$format.name: a call whose string holds </tool>", (target) => {
  let server: LoopbackServer;
  let provider: DisposableProvider;
  let log: GenerationLog;

  beforeEach(async () => {
    server = await startLoopbackServer();
    target.setup?.(server);
    provider = target.create(server.url, { retry: { maxRetries: 0 } });
    log = { generated: [], stops: [] };
  });
  afterEach(async () => {
    await provider.dispose();
    await server.close();
  });

  it("is run whole, not cut at the </tool> inside its string", async () => {
    const written: string[] = [];
    const note = defineTool({
      name: "note",
      description: "Write a note.",
      inputSchema: z.object({ path: z.string(), text: z.string() }),
      execute: ({ text }) => {
        written.push(text);
        return "written";
      },
    });
    server.route(
      target.route,
      stopHonouringReply(target.format, writeDoc, log),
      stopHonouringReply(target.format, writeDoc, log),
      stopHonouringReply(target.format, finish, log),
    );
    const agent = new Agent({ provider, tools: [note], rules: false, contextWindow: 8192 });
    const invalid: string[] = [];
    agent.on("invalid-reply", (event) => invalid.push(event.feedback));
    const result = await agent.run("Document the protocol");
    expect(result.status).toBe("done");
    expect(written).toEqual([DOC]);
    expect(invalid).toEqual([]);
    // Cut once at the </tool> inside the string, the turn is asked again without that stop
    // sequence (and the run keeps it off: the model is writing about the protocol).
    expect(log.stops.map((stops) => stops.includes("</tool>"))).toEqual([true, false, false]);
    expect(log.generated[1]).toBe(writeDoc.length);
  });

  it("keeps the </tool> stop sequence, and one request per turn, for ordinary calls", async () => {
    server.route(target.route, stopHonouringReply(target.format, finish, log));
    const agent = new Agent({ provider, rules: false, contextWindow: 8192 });
    const result = await agent.run("Finish");
    expect(result.status).toBe("done");
    expect(log.stops).toHaveLength(1);
    expect(log.stops[0]).toContain("</tool>");
  });
});
