import { describe, expect, it } from "vitest";
import { z } from "zod";
import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import { createMemorySessionStore } from "../session/memory-session-store.js";
import { createScriptedModel, toolCallText } from "../testing/scripted-model.js";
import { defineTool } from "../tools/define-tool.js";
import { Agent } from "./agent.js";

const echo = defineTool({
  name: "echo",
  description: "Echo a text.",
  inputSchema: z.object({ text: z.string() }),
  readOnly: true,
  execute: ({ text }) => `echo: ${text}`,
});

const native = (calls: NonNullable<Parameters<typeof createScriptedModel>[0]>) =>
  createScriptedModel(calls, { nativeTools: true });

const doneCall = { name: "done", args: { summary: "ok" } };

function thrown(run: () => unknown): GemmaCoderError {
  try {
    run();
  } catch (error) {
    if (GemmaCoderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a GemmaCoderError");
}

describe("protocol: native", () => {
  it("is a typed error on a provider without a native tool API, never a silent fallback", () => {
    const error = thrown(
      () => new Agent({ provider: createScriptedModel([]), protocol: "native", rules: false }),
    );
    expect(error.code).toBe("unsupported");
    expect(error.message).toMatch(/scripted.*no native tool API/);
  });

  it("refuses a constraint (the tool API shapes the calls) and an unknown protocol", () => {
    const provider = native([]);
    expect(
      thrown(
        () =>
          new Agent({ provider, protocol: "native", constrainedDecoding: "grammar", rules: false }),
      ).code,
    ).toBe("invalid-argument");
    expect(
      thrown(() => new Agent({ provider, protocol: "xml" as "text", rules: false })).code,
    ).toBe("invalid-argument");
  });

  it("offers the tools through the API, runs the call, and answers it as a tool result", async () => {
    const model = native([
      { text: "", toolCalls: [{ id: "c1", name: "echo", args: { text: "hi" } }] },
      { text: "Done.", toolCalls: [{ id: "c2", ...doneCall }] },
    ]);
    const agent = new Agent({ provider: model, tools: [echo], protocol: "native", rules: false });
    const result = await agent.run("say hi");
    expect(result).toMatchObject({ status: "done", summary: "ok", steps: 2 });
    const first = model.requests[0];
    expect(first?.tools?.map((tool) => tool.name)).toEqual(["done", "echo"]);
    expect(first?.tools?.[1]?.parameters).toMatchObject({
      type: "object",
      properties: { text: { type: "string" } },
    });
    expect(first?.stop).toEqual([]);
    // The chat template lists the tools: the system prompt teaches no tag protocol.
    expect(first?.messages[0]?.content).not.toContain("<tool>");
    const history = model.requests[1]?.messages ?? [];
    expect(history.at(-2)).toEqual({
      role: "assistant",
      content: "",
      toolCalls: [{ id: "c1", name: "echo", argsText: '{"text":"hi"}' }],
    });
    expect(history.at(-1)).toEqual({
      role: "user",
      content: '{"ok":true,"value":"echo: hi"}',
      toolResultOf: { id: "c1", name: "echo" },
    });
  });

  it("gives a native call with bad arguments the same validation feedback, as its result", async () => {
    const model = native([
      { text: "", toolCalls: [{ id: "c1", name: "echo", args: { text: 42 } }] },
      { text: "", toolCalls: [{ id: "c2", name: "echo", args: '{"text": "x"' }] },
      { text: "", toolCalls: [{ id: "c3", ...doneCall }] },
    ]);
    const agent = new Agent({ provider: model, tools: [echo], protocol: "native", rules: false });
    const feedback: string[] = [];
    agent.on("invalid-reply", (event) => feedback.push(event.feedback));
    const result = await agent.run("echo");
    expect(result.status).toBe("done");
    expect(feedback[0]).toMatch(/echo/);
    expect(feedback[0]).toMatch(/text/);
    // A cut argument string is never repaired into a call that runs.
    expect(feedback[1]).toMatch(/arguments of echo are incomplete/);
    const answered = model.requests[1]?.messages.at(-1);
    expect(answered?.toolResultOf).toEqual({ id: "c1", name: "echo" });
    expect(answered?.content).toMatch(/^\{"ok":false,"error":/);
  });

  it("names the real tools when the model calls one that is not registered", async () => {
    const model = native([
      { text: "", toolCalls: [{ id: "c1", name: "read_file", args: { path: "a" } }] },
      { text: "", toolCalls: [{ id: "c2", ...doneCall }] },
    ]);
    const agent = new Agent({ provider: model, tools: [echo], protocol: "native", rules: false });
    const feedback: string[] = [];
    agent.on("invalid-reply", (event) => feedback.push(event.feedback));
    const ran: string[] = [];
    agent.on("tool-call", (event) => ran.push(event.name));
    await agent.run("read");
    expect(feedback[0]).toContain('Unknown tool "read_file". Available tools: done, echo.');
    expect(ran).toEqual(["done"]);
  });

  it("runs the first of several calls and tells the model the others were not run", async () => {
    const model = native([
      {
        text: "",
        toolCalls: [
          { id: "a", name: "echo", args: { text: "1" } },
          { id: "b", name: "echo", args: { text: "2" } },
        ],
      },
      { text: "", toolCalls: [{ id: "c", ...doneCall }] },
    ]);
    const agent = new Agent({ provider: model, tools: [echo], protocol: "native", rules: false });
    const args: unknown[] = [];
    agent.on("tool-call", (event) => args.push(event.args));
    await agent.run("echo");
    expect(args[0]).toEqual({ text: "1" });
    const history = model.requests[1]?.messages ?? [];
    // Only the call that was answered stays in the history: each needs its own result.
    expect(history.at(-2)?.toolCalls?.map((call) => call.id)).toEqual(["a"]);
    expect(history.at(-1)?.content).toContain("only the first (echo) was run");
  });

  it("still reads a call the model left in the text, and nudges a reply with none", async () => {
    const model = native([
      "I will look.",
      `Calling it.\n${toolCallText("echo", { text: "from text" })}`,
      { text: "", toolCalls: [{ id: "c", ...doneCall }] },
    ]);
    const agent = new Agent({ provider: model, tools: [echo], protocol: "native", rules: false });
    const args: unknown[] = [];
    agent.on("tool-call", (event) => args.push(event.args));
    const result = await agent.run("echo");
    expect(result.status).toBe("done");
    expect(args[0]).toEqual({ text: "from text" });
    const nudge = model.requests[1]?.messages.at(-1)?.content ?? "";
    expect(nudge).toMatch(/no tool call/);
    expect(nudge).not.toContain("<tool>");
    // A text call is answered as the text protocol answers it.
    expect(model.requests[2]?.messages.at(-1)?.content).toMatch(/^<tool_result>/);
  });

  it("makes up an id for a call that came without one (Ollama sends none)", async () => {
    const model = native([
      { text: "", toolCalls: [{ id: "", name: "echo", args: { text: "x" } }] },
      { text: "", toolCalls: [{ id: "", ...doneCall }] },
    ]);
    const agent = new Agent({ provider: model, tools: [echo], protocol: "native", rules: false });
    await agent.run("echo");
    const history = model.requests[1]?.messages ?? [];
    const id = history.at(-2)?.toolCalls?.[0]?.id;
    expect(id).toBeTruthy();
    expect(history.at(-1)?.toolResultOf?.id).toBe(id);
  });
});

describe("protocol: native, resumed", () => {
  it("sends the native calls and results of the transcript back as they were sent", async () => {
    const session = createMemorySessionStore();
    const first = native([
      { text: "", toolCalls: [{ id: "c1", name: "echo", args: { text: "a" } }] },
    ]);
    const agent = new Agent({
      provider: first,
      tools: [echo],
      protocol: "native",
      rules: false,
      session,
    });
    const stopped = await agent.run("echo");
    expect(stopped.status).toBe("failed");
    const second = native([{ text: "", toolCalls: [{ id: "c2", ...doneCall }] }]);
    const again = new Agent({
      provider: second,
      tools: [echo],
      protocol: "native",
      rules: false,
      session,
    });
    const resumed = await again.resume(stopped.sessionId as string);
    expect(resumed.status).toBe("done");
    const history = second.requests[0]?.messages ?? [];
    expect(history.find((message) => message.toolCalls)?.toolCalls).toEqual([
      { id: "c1", name: "echo", argsText: '{"text":"a"}' },
    ]);
    expect(history.find((message) => message.toolResultOf)?.toolResultOf).toEqual({
      id: "c1",
      name: "echo",
    });
  });
  it("sends a call the session stopped inside back as a native call with its result", async () => {
    const session = createMemorySessionStore();
    const hang = defineTool({
      name: "hang",
      description: "Wait until stopped.",
      inputSchema: z.object({ text: z.string() }),
      execute: (_input, { signal }) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason)),
        ),
    });
    const first = native([
      { text: "", toolCalls: [{ id: "c1", name: "echo", args: { text: "a" } }] },
      { text: "Now wait.", toolCalls: [{ id: "c2", name: "hang", args: { text: "b" } }] },
    ]);
    const controller = new AbortController();
    const options = {
      tools: [echo, hang],
      protocol: "native" as const,
      rules: false as const,
      session,
    };
    const agent = new Agent({ provider: first, ...options });
    agent.on("tool-call", (event) => {
      if (event.name === "hang") controller.abort();
    });
    const stopped = await agent.run("echo, then wait", { signal: controller.signal });
    expect(stopped.status).toBe("aborted");

    const second = native([{ text: "", toolCalls: [{ id: "c3", ...doneCall }] }]);
    const resumed = await new Agent({ provider: second, ...options }).resume(
      stopped.sessionId as string,
    );
    expect(resumed.status).toBe("done");
    const history = second.requests[0]?.messages ?? [];
    // The interrupted call goes back as the native call it was, answered by its own id:
    // not as text-protocol markup, which a native chat template shows as plain prose.
    expect(history.at(-2)).toEqual({
      role: "assistant",
      content: "Now wait.",
      toolCalls: [{ id: "c2", name: "hang", argsText: '{"text":"b"}' }],
    });
    expect(history.at(-1)?.toolResultOf).toEqual({ id: "c2", name: "hang" });
    expect(history.at(-1)?.content).toMatch(/effect is unknown/);
    expect(history.at(-1)?.content).not.toContain("<tool_result>");
  });
});

describe("protocol: json", () => {
  it("asks for one JSON object and sends the call schema where the provider enforces one", async () => {
    const model = createScriptedModel(['{"name": "done", "args": {"summary": "ok"}}']);
    Object.assign(model, { capabilities: { jsonSchema: true } });
    const agent = new Agent({ provider: model, protocol: "json", rules: false });
    const result = await agent.run("finish");
    expect(result.status).toBe("done");
    const request = model.requests[0];
    expect(request?.constraint?.type).toBe("json-schema");
    expect(request?.stop).toEqual([]);
    expect(request?.messages[0]?.content).toMatch(/exactly one JSON object/);
  });

  it("works unenforced on a provider without a schema mode, and says so", async () => {
    const model = createScriptedModel(['{"name": "done", "args": {"summary": "ok"}}']);
    const agent = new Agent({ provider: model, protocol: "json", rules: false });
    const warnings: string[] = [];
    agent.on("warning", (event) => warnings.push(event.message));
    const result = await agent.run("finish");
    expect(result.status).toBe("done");
    expect(model.requests[0]?.constraint).toBeUndefined();
    expect(model.requests[0]?.messages[0]?.content).toMatch(/exactly one JSON object/);
    expect(warnings.join("\n")).toMatch(/cannot enforce a JSON schema/);
  });
});
