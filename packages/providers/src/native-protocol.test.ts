import { Agent, type ChatMessage, defineTool, type ToolCallPart } from "@gemma-coder/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { collect } from "./testing/collect.js";
import { jsonBody, type LoopbackServer, startLoopbackServer } from "./testing/loopback-server.js";
import { NATIVE_WIRE_TARGETS, type NativeReply, nativeReply } from "./testing/native-wire.js";
import type { DisposableProvider } from "./testing/wire-targets.js";

// The native protocol against loopback servers speaking each backend's tool-call wire
// format: calls streamed in fragments, arguments as text or as an object, and an Agent
// run end to end with the same validation and feedback as the text protocol.

const DOC = 'Calls end with </tool>.\nWrite "<tool>" then JSON.';

const note = defineTool({
  name: "note",
  description: "Write a note.",
  inputSchema: z.object({ path: z.string(), text: z.string() }),
  execute: ({ path, text }) => `wrote ${text.length} characters to ${path}`,
});

const TOOLS = [
  {
    name: "note",
    description: "Write a note.",
    parameters: { type: "object", properties: { path: { type: "string" } } },
  },
];

const call = (name: string, args: unknown, id?: string) => ({
  name,
  args: JSON.stringify(args),
  ...(id === undefined ? {} : { id }),
});

describe.each(NATIVE_WIRE_TARGETS)("native tool calls on $name", (target) => {
  let server: LoopbackServer;
  let provider: DisposableProvider;

  beforeEach(async () => {
    server = await startLoopbackServer();
    target.setup?.(server);
    provider = target.create(server.url, {
      timeouts: { connectMs: 2000, firstByteMs: 5000, idleMs: 5000 },
      retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 },
    });
  });
  afterEach(async () => {
    await provider.dispose();
    await server.close();
  });

  const route = (...replies: NativeReply[]) =>
    server.route(target.route, ...replies.map((reply) => nativeReply(target, reply)));
  const bodies = () => server.requestsFor(target.route).map((request) => jsonBody(request));

  it("declares the capability and offers the tools in the function shape", async () => {
    expect(provider.capabilities?.nativeTools).toBe(true);
    route({ calls: [call("note", { path: "a.md", text: "x" }, "c1")] });
    await collect(
      provider.streamChat({ messages: [{ role: "user", content: "go" }], tools: TOOLS, stop: [] }),
    );
    const body = bodies()[0];
    expect(body?.tools).toEqual([
      {
        type: "function",
        function: { name: "note", description: "Write a note.", parameters: TOOLS[0]?.parameters },
      },
    ]);
    expect(body?.stop ?? (body?.options as { stop?: unknown } | undefined)?.stop).toBeUndefined();
  });

  it("assembles a call streamed in many small fragments, with text before it", async () => {
    const args = { path: "docs/protocol.md", text: DOC };
    route({ content: ["Writing ", "the doc."], calls: [call("note", args, "c7")], fragment: 2 });
    const got = await collect(
      provider.streamChat({ messages: [{ role: "user", content: "go" }], tools: TOOLS, stop: [] }),
    );
    expect(got.error).toBeUndefined();
    expect(got.text).toBe("Writing the doc.");
    const calls = got.parts.filter((part): part is ToolCallPart => part.type === "tool-call");
    expect(calls).toHaveLength(1);
    expect(calls[0]?.name).toBe("note");
    expect(JSON.parse(calls[0]?.argsText ?? "")).toEqual(args);
    // OpenAI-style servers name their calls; Ollama does not (the agent makes an id up).
    expect(calls[0]?.id).toBe(target.argsAsObject ? "" : "c7");
    // The calls come whole, before the finish part.
    expect(got.parts.at(-1)?.type).toBe("finish");
  });

  it("sends a call and its result back in the backend's own shape", async () => {
    route({ content: ["ok"] });
    const history: ChatMessage[] = [
      { role: "user", content: "go" },
      {
        role: "assistant",
        content: "",
        toolCalls: [{ id: "c1", name: "note", argsText: '{"path":"a.md","text":"x"}' }],
      },
      {
        role: "user",
        content: '{"ok":true,"value":"wrote"}',
        toolResultOf: { id: "c1", name: "note" },
      },
    ];
    await collect(provider.streamChat({ messages: history, tools: TOOLS, stop: [] }));
    const messages = bodies()[0]?.messages as Record<string, unknown>[];
    if (target.argsAsObject) {
      expect(messages[1]).toEqual({
        role: "assistant",
        content: "",
        tool_calls: [{ function: { name: "note", arguments: { path: "a.md", text: "x" } } }],
      });
      expect(messages[2]).toEqual({
        role: "tool",
        content: '{"ok":true,"value":"wrote"}',
        tool_name: "note",
      });
    } else {
      expect(messages[1]).toEqual({
        role: "assistant",
        content: "",
        tool_calls: [
          {
            id: "c1",
            type: "function",
            function: { name: "note", arguments: '{"path":"a.md","text":"x"}' },
          },
        ],
      });
      expect(messages[2]).toEqual({
        role: "tool",
        tool_call_id: "c1",
        content: '{"ok":true,"value":"wrote"}',
      });
    }
  });

  it("runs an Agent end to end: bad args, an unknown tool, text + call, then done", async () => {
    route(
      { calls: [call("note", { path: "a.md", text: 42 }, "c1")] },
      { calls: [call("read_file", { path: "a.md" }, "c2")] },
      {
        content: ["Now ", "the real one."],
        calls: [call("note", { path: "p.md", text: DOC }, "c3")],
      },
      { calls: [call("done", { summary: "wrote it" }, "c4")] },
    );
    const agent = new Agent({ provider, tools: [note], protocol: "native", rules: false });
    const events: string[] = [];
    agent.on("invalid-reply", (event) => events.push(`invalid: ${event.feedback.split("\n")[0]}`));
    agent.on("tool-call", (event) =>
      events.push(`call: ${event.name} ${JSON.stringify(event.args)}`),
    );
    const result = await agent.run("write the protocol doc");
    expect(result).toMatchObject({ status: "done", summary: "wrote it", steps: 4 });
    expect(events[0]).toMatch(/^invalid: .*note/);
    expect(events[1]).toBe('invalid: Unknown tool "read_file". Available tools: done, note.');
    expect(events[2]).toBe(`call: note ${JSON.stringify({ path: "p.md", text: DOC })}`);
    const sent = bodies();
    expect(sent).toHaveLength(4);
    for (const body of sent) expect(Array.isArray(body.tools)).toBe(true);
    // The bad call is answered as its own result, with the validation feedback.
    const second = sent[1]?.messages as Record<string, unknown>[];
    expect(second.at(-1)?.role).toBe("tool");
    expect(String(second.at(-1)?.content)).toMatch(/"ok":false/);
    const last = sent[3]?.messages as Record<string, unknown>[];
    expect(last.at(-2)?.content).toBe("Now the real one.");
    expect(String(last.at(-1)?.content)).toContain(`wrote ${DOC.length} characters to p.md`);
  });

  it("runs the first of several calls in one reply and tells the model", async () => {
    route(
      {
        calls: [
          call("note", { path: "1.md", text: "a" }, "a"),
          call("note", { path: "2.md", text: "b" }, "b"),
        ],
      },
      { calls: [call("done", { summary: "ok" }, "c")] },
    );
    const agent = new Agent({ provider, tools: [note], protocol: "native", rules: false });
    const paths: unknown[] = [];
    agent.on("tool-call", (event) => paths.push((event.args as { path?: string }).path));
    await agent.run("notes");
    expect(paths).toEqual(["1.md", undefined]);
    const messages = bodies()[1]?.messages as Record<string, unknown>[];
    expect(String(messages.at(-1)?.content)).toContain("only the first (note) was run");
  });

  it("still reads a call the model wrote in the text instead of the tool API", async () => {
    route(
      { content: ['<tool>\n{"name": "note", "args": {"path": "t.md", "text": "t"}}\n</tool>'] },
      { calls: [call("done", { summary: "ok" }, "c")] },
    );
    const agent = new Agent({ provider, tools: [note], protocol: "native", rules: false });
    const ran: string[] = [];
    agent.on("tool-call", (event) => ran.push(event.name));
    const result = await agent.run("note");
    expect(result.status).toBe("done");
    expect(ran).toEqual(["note", "done"]);
  });
});
