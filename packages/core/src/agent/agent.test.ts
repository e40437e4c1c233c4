import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { GemmaCoderError } from "../errors/gemma-coder-error.js";
import type { ModelProvider, StreamPart } from "../provider/provider.js";
import { createScriptedModel, toolCallText } from "../testing/scripted-model.js";
import { defineTool } from "../tools/define-tool.js";
import { Agent } from "./agent.js";
import type { AgentEvent, AgentState } from "./events.js";

const done = (summary = "finished") => toolCallText("done", { summary });

const echo = defineTool({
  name: "echo",
  description: "Echo a text.",
  inputSchema: z.object({ text: z.string() }),
  readOnly: true,
  execute: ({ text }) => `echo: ${text}`,
});

const write = defineTool({
  name: "write",
  description: "Pretend to write.",
  inputSchema: z.object({ path: z.string() }),
  execute: ({ path }) => `wrote ${path}`,
});

function states(agent: Agent): AgentState[] {
  const seen: AgentState[] = [];
  agent.on("state-change", (e) => seen.push(e.to));
  return seen;
}

describe("Agent", () => {
  it("runs tools and ends with done, through the full state sequence", async () => {
    const model = createScriptedModel([toolCallText("echo", { text: "hi" }), done("all good")]);
    const agent = new Agent({ provider: model, tools: [echo], rules: false });
    const seen = states(agent);
    const calls: string[] = [];
    agent.on("tool-call", (e) => calls.push(`${e.name}:${JSON.stringify(e.args)}`));
    const result = await agent.run("say hi");
    expect(result).toMatchObject({
      status: "done",
      stopReason: "done",
      summary: "all good",
      steps: 2,
    });
    expect(calls).toEqual(['echo:{"text":"hi"}', 'done:{"summary":"all good"}']);
    expect(seen).toEqual([
      "awaiting-model",
      "executing-tool",
      "awaiting-model",
      "executing-tool",
      "done",
    ]);
    // The second request carries the tool result of the first call.
    const second = model.requests[1]?.messages ?? [];
    expect(second.at(-1)?.content).toContain('"value":"echo: hi"');
    expect(model.requests[0]?.stop).toEqual(["</tool>"]);
  });

  it("puts the tools and the rules in the system prompt, byte-identical every turn", async () => {
    const model = createScriptedModel([toolCallText("echo", { text: "a" }), done()]);
    await new Agent({ provider: model, tools: [echo], rules: "Rule one: be brief." }).run("t");
    const system = model.requests.map((r) => r.messages[0]?.content);
    expect(system[0]).toContain("- echo {text: string}: Echo a text.");
    expect(system[0]).toContain("<rules>\nRule one: be brief.\n</rules>");
    expect(system[1]).toBe(system[0]);
  });

  it("sends the default rulebook when no project rules are given", async () => {
    const model = createScriptedModel([done()]);
    await new Agent({ provider: model }).run("t");
    expect(model.requests[0]?.messages[0]?.content).toContain("Verify before done");
  });

  it("loads the project's rulebook from the workspace and warns when it is cut", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gc-agent-"));
    try {
      await writeFile(join(dir, "AGENTS.md"), `Project rule.\n${"filler line\n".repeat(2000)}`);
      const model = createScriptedModel([done()]);
      const agent = new Agent({ provider: model, workspace: dir });
      const warnings: string[] = [];
      agent.on("warning", (e) => warnings.push(e.kind));
      await agent.run("t");
      expect(model.requests[0]?.messages[0]?.content).toContain("<rules>\nProject rule.");
      expect(warnings).toEqual(["rulebook"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("keeps the conversation append-only so the prompt prefix is stable", async () => {
    const model = createScriptedModel([
      toolCallText("echo", { text: "a" }),
      "no call here",
      toolCallText("echo", { text: "b" }),
      done(),
    ]);
    await new Agent({ provider: model, tools: [echo], rules: false }).run("t");
    for (let i = 1; i < model.requests.length; i++) {
      const before = model.requests[i - 1]?.messages ?? [];
      const after = model.requests[i]?.messages ?? [];
      expect(after.slice(0, before.length)).toEqual(before);
    }
  });

  it("stops the stream as soon as a complete call arrives", async () => {
    const text = `${toolCallText("echo", { text: "x" })}\nand then a long ramble that costs tokens`;
    const model = createScriptedModel([{ text, chunkSize: 4 }, done()]);
    const agent = new Agent({ provider: model, tools: [echo], rules: false });
    const ends: string[] = [];
    agent.on("turn-end", (e) => ends.push(e.text));
    await agent.run("t");
    const full = Math.ceil(text.length / 4);
    expect(model.deltasRead[0]).toBeLessThan(full);
    expect(ends[0]).not.toContain("ramble");
    // The history shows a well-formed call even though </tool> was never generated.
    expect(model.requests[1]?.messages[2]?.content.trimEnd().endsWith("</tool>")).toBe(true);
  });

  it("nudges a reply without a call and recovers", async () => {
    const model = createScriptedModel(["I think the bug is in main.py.", done()]);
    const agent = new Agent({ provider: model, rules: false });
    const invalid: string[] = [];
    agent.on("invalid-reply", (e) => invalid.push(e.feedback));
    const result = await agent.run("t");
    expect(result.status).toBe("done");
    expect(invalid).toHaveLength(1);
    expect(model.requests[1]?.messages.at(-1)?.content).toContain("Your reply had no tool call");
  });

  it("sends parse feedback as a tool error", async () => {
    const model = createScriptedModel(['<tool>{"name": "nope", "args": {}}</tool>', done()]);
    const result = await new Agent({ provider: model, rules: false }).run("t");
    expect(result.status).toBe("done");
    const feedback = model.requests[1]?.messages.at(-1)?.content ?? "";
    expect(feedback).toContain("<tool_result>");
    expect(feedback).toContain('Unknown tool \\"nope\\"');
  });

  it("sends validation errors naming the field and what was expected", async () => {
    const model = createScriptedModel([
      toolCallText("echo", { txt: "a" }),
      toolCallText("echo", { text: 5 }),
      done(),
    ]);
    const agent = new Agent({ provider: model, tools: [echo], rules: false });
    const executed = vi.fn();
    agent.on("tool-call", executed);
    await agent.run("t");
    const first = model.requests[1]?.messages.at(-1)?.content ?? "";
    expect(first).toMatch(/Invalid arguments for echo: text: expected string, but it is missing/);
    expect(first).toContain("Usage: echo {text: string}");
    const second = model.requests[2]?.messages.at(-1)?.content ?? "";
    expect(second).toMatch(/text: expected string, received number/);
    // Only done ran: invalid input never reaches execute.
    expect(executed).toHaveBeenCalledTimes(1);
  });

  it("fails after too many invalid replies in a row", async () => {
    const model = createScriptedModel(["prose", "<tool>garbage</tool>", "more prose"]);
    const result = await new Agent({ provider: model, rules: false, maxInvalidReplies: 3 }).run(
      "t",
    );
    expect(result).toMatchObject({ status: "failed", stopReason: "invalid-replies", steps: 3 });
    expect(result.message).toMatch(/3 replies in a row/);
  });

  it("resets the invalid counter after a good call", async () => {
    const model = createScriptedModel([
      "prose",
      "prose",
      toolCallText("echo", { text: "a" }),
      "prose",
      "prose",
      done(),
    ]);
    const result = await new Agent({
      provider: model,
      tools: [echo],
      rules: false,
      maxInvalidReplies: 3,
    }).run("t");
    expect(result.status).toBe("done");
  });

  it("stops at max steps", async () => {
    const model = createScriptedModel((_, turn) => toolCallText("echo", { text: String(turn) }));
    const result = await new Agent({
      provider: model,
      tools: [echo],
      rules: false,
      maxSteps: 4,
    }).run("t");
    expect(result).toMatchObject({ status: "failed", stopReason: "max-steps", steps: 4 });
    expect(model.requests).toHaveLength(4);
  });

  it("warns at the third identical call and stops at the fifth", async () => {
    const model = createScriptedModel(() => toolCallText("echo", { text: "same" }));
    const agent = new Agent({ provider: model, tools: [echo], rules: false });
    const results: string[] = [];
    agent.on("tool-result", () => results.push("r"));
    const warnings: string[] = [];
    agent.on("warning", (event) => warnings.push(`${event.kind}: ${event.message}`));
    const result = await agent.run("t");
    expect(result).toMatchObject({ status: "failed", stopReason: "repeated-calls", steps: 5 });
    expect(results).toHaveLength(4);
    // The user sees the warning the model gets.
    expect(warnings).toEqual([
      "repeated-call: The model made the same echo call 3 times with nothing changed in between.",
      "repeated-call: The model made the same echo call 4 times with nothing changed in between.",
    ]);
    expect(model.requests[2]?.messages.at(-1)?.content).not.toContain("exact call");
    expect(model.requests[3]?.messages.at(-1)?.content).toContain(
      "You made this exact call 3 times",
    );
  });

  it("counts identical calls with key order ignored, and forgets them after a change", async () => {
    const calls = [
      '<tool>{"name": "echo", "args": {"text": "a"}}</tool>',
      '<tool>{"args": {"text": "a"}, "name": "echo"}</tool>',
      toolCallText("write", { path: "f" }),
      toolCallText("echo", { text: "a" }),
      toolCallText("echo", { text: "a" }),
      toolCallText("echo", { text: "a" }),
      toolCallText("echo", { text: "a" }),
      done(),
    ];
    const model = createScriptedModel(calls);
    const result = await new Agent({ provider: model, tools: [echo, write], rules: false }).run(
      "t",
    );
    expect(result.status).toBe("done");
  });

  it("reports a tool's thrown error to the model and carries on", async () => {
    const failing = defineTool({
      name: "fail",
      description: "Always fails.",
      inputSchema: z.object({}),
      execute: () => {
        throw new Error("disk on fire");
      },
    });
    const model = createScriptedModel([toolCallText("fail"), done()]);
    const agent = new Agent({ provider: model, tools: [failing], rules: false });
    const results: unknown[] = [];
    agent.on("tool-result", (e) => results.push(e.result));
    const result = await agent.run("t");
    expect(result.status).toBe("done");
    expect(results[0]).toEqual({ ok: false, error: "disk on fire" });
  });

  it("emits one warning when multiple calls arrive in one reply", async () => {
    const model = createScriptedModel([
      `${toolCallText("echo", { text: "a" })}${toolCallText("echo", { text: "b" })}`,
      done(),
    ]);
    await new Agent({ provider: model, tools: [echo], rules: false }).run("t");
    // The stream stops at the first complete call, so the second never arrives.
    expect(model.requests[1]?.messages.at(-1)?.content).toContain("echo: a");
  });

  it("ends with provider-error when the provider throws, and emits error", async () => {
    const boom = new GemmaCoderError("server said no", {
      code: "provider-http",
      status: 500,
      provider: "x",
    });
    const model = createScriptedModel([{ text: "", error: boom }]);
    const agent = new Agent({ provider: model, rules: false });
    const errors: unknown[] = [];
    agent.on("error", (e) => errors.push(e.error));
    const result = await agent.run("t");
    expect(result).toMatchObject({ status: "failed", stopReason: "provider-error", error: boom });
    expect(errors).toEqual([boom]);
  });

  it("wraps a non-SDK provider error", async () => {
    const model = createScriptedModel([{ text: "", error: new TypeError("socket hang up") }]);
    const result = await new Agent({ provider: model, rules: false }).run("t");
    expect(GemmaCoderError.isInstance(result.error)).toBe(true);
    expect(result.error?.message).toContain("socket hang up");
  });

  it("fails when the stream ends with an error finish", async () => {
    const model = createScriptedModel([{ text: "partial", finishReason: "error" }]);
    const result = await new Agent({ provider: model, rules: false }).run("t");
    expect(result).toMatchObject({ status: "failed", stopReason: "provider-error" });
  });

  it("fails clearly when the script runs out", async () => {
    const model = createScriptedModel([toolCallText("echo", { text: "a" })]);
    const result = await new Agent({ provider: model, tools: [echo], rules: false }).run("t");
    expect(result.error?.code).toBe("script-exhausted");
  });

  it("sums usage over turns", async () => {
    const model = createScriptedModel([
      {
        text: toolCallText("echo", { text: "a" }),
        usage: { inputTokens: 100, outputTokens: 10, cachedInputTokens: 0 },
      },
      { text: done(), usage: { inputTokens: 130, outputTokens: 12, cachedInputTokens: 100 } },
    ]);
    const agent = new Agent({ provider: model, tools: [echo], rules: false });
    const totals: number[] = [];
    agent.on("usage", (e) => totals.push(e.total.inputTokens));
    const result = await agent.run("t");
    expect(result.usage).toEqual({ inputTokens: 230, outputTokens: 22, cachedInputTokens: 100 });
    expect(totals).toEqual([100, 230]);
  });

  it("refuses an incomplete call cut off by the token limit, never running it", async () => {
    const model = createScriptedModel([
      { text: '<tool>{"name": "write", "args": {"path": "a.py', finishReason: "length" },
      done(),
    ]);
    const agent = new Agent({ provider: model, tools: [write], rules: false });
    const executed = vi.fn();
    agent.on("tool-call", executed);
    await agent.run("t");
    expect(executed).toHaveBeenCalledTimes(1); // done only
    expect(model.requests[1]?.messages.at(-1)?.content).toContain("token limit");
  });

  describe("context", () => {
    const render = (messages: readonly { role: string; content: string }[]) =>
      messages.map((m) => `<start_of_turn>${m.role}\n${m.content}<end_of_turn>\n`).join("");
    const big = defineTool({
      name: "big",
      description: "Return a lot of text.",
      inputSchema: z.object({ n: z.number() }),
      readOnly: true,
      execute: ({ n }) => `result ${n}: ${"lorem ipsum dolor sit amet ".repeat(150)}`,
    });

    it("keeps each turn's rendered prompt a prefix of the next while the budget holds", async () => {
      const model = createScriptedModel([
        toolCallText("echo", { text: "a" }),
        "thinking out loud",
        toolCallText("echo", { text: "b" }),
        done(),
      ]);
      await new Agent({ provider: model, tools: [echo], contextWindow: 32_768 }).run("t");
      const prompts = model.requests.map((r) => render(r.messages));
      for (let i = 1; i < prompts.length; i++) {
        expect(prompts[i]?.startsWith(prompts[i - 1] as string)).toBe(true);
      }
    });

    it("elides old tool results when the window runs short, and reports the tokens saved", async () => {
      const model = createScriptedModel((_, turn) =>
        turn < 12 ? toolCallText("big", { n: turn }) : done(),
      );
      const agent = new Agent({
        provider: model,
        tools: [big],
        rules: false,
        contextWindow: 4096,
        maxOutputTokens: 512,
      });
      const elided: number[] = [];
      agent.on("context-elided", (e) => elided.push(e.tokensSaved));
      const result = await agent.run("t");
      expect(result.status).toBe("done");
      expect(elided.length).toBeGreaterThan(0);
      expect(elided.every((saved) => saved > 0)).toBe(true);
      // Elision happens in batches, not every turn: most turns keep an append-only prompt.
      expect(elided.length).toBeLessThan(6);
      const last = model.requests.at(-1)?.messages ?? [];
      expect(last[1]?.content).toBe("t");
      expect(last.some((m) => m.content.includes("elided to save context"))).toBe(true);
    });

    it("asks the provider for its context window and uses its exact token counter", async () => {
      const model = createScriptedModel([done()], { contextWindow: 2048 });
      const countTokens = vi.fn(async (text: string) => Math.ceil(text.length / 4));
      const provider: ModelProvider = {
        ...model,
        capabilities: { exactTokenCount: true },
        countTokens,
      };
      await new Agent({ provider, rules: false }).run("t");
      expect(countTokens).toHaveBeenCalled();
    });

    it("sizes tool results to a small window", async () => {
      const model = createScriptedModel([toolCallText("big", { n: 1 }), done()]);
      await new Agent({
        provider: model,
        tools: [big],
        rules: false,
        contextWindow: 2048,
        maxOutputTokens: 512,
      }).run("t");
      const result = model.requests[1]?.messages.at(-1)?.content ?? "";
      expect(result).toContain("characters omitted");
      expect(result.length).toBeLessThan(1500);
    });
  });

  describe("abort", () => {
    it("in idle: an already-aborted signal ends the run before any model call", async () => {
      const model = createScriptedModel([done()]);
      const agent = new Agent({ provider: model, rules: false });
      const seen = states(agent);
      const result = await agent.run("t", { signal: AbortSignal.abort() });
      expect(result).toMatchObject({ status: "aborted", stopReason: "aborted", steps: 0 });
      expect(model.requests).toHaveLength(0);
      expect(seen).toEqual(["aborted"]);
    });

    it("while awaiting the model: the stream is cancelled", async () => {
      const controller = new AbortController();
      const model = createScriptedModel([{ text: "x".repeat(100), chunkSize: 1, delayMs: 5 }]);
      const agent = new Agent({ provider: model, rules: false });
      agent.on("text-delta", () => controller.abort());
      const seen = states(agent);
      const result = await agent.run("t", { signal: controller.signal });
      expect(result).toMatchObject({ status: "aborted", stopReason: "aborted" });
      expect(model.deltasRead[0]).toBeLessThan(100);
      expect(seen).toEqual(["awaiting-model", "aborted"]);
    });

    it("while a tool runs: the tool's signal fires and the run does not wait for it", async () => {
      const controller = new AbortController();
      let toolSignal: AbortSignal | undefined;
      const hang = defineTool({
        name: "hang",
        description: "Never returns.",
        inputSchema: z.object({}),
        execute: (_input, context) => {
          toolSignal = context.signal;
          controller.abort();
          return new Promise(() => {});
        },
      });
      const model = createScriptedModel([toolCallText("hang")]);
      const agent = new Agent({ provider: model, tools: [hang], rules: false });
      const seen = states(agent);
      const result = await agent.run("t", { signal: controller.signal });
      expect(result.status).toBe("aborted");
      expect(toolSignal?.aborted).toBe(true);
      expect(seen).toEqual(["awaiting-model", "executing-tool", "aborted"]);
    });

    it("times out with stopReason timeout", async () => {
      const model = createScriptedModel([{ text: "x".repeat(1000), chunkSize: 1, delayMs: 20 }]);
      const result = await new Agent({ provider: model, rules: false, timeoutMs: 50 }).run("t");
      expect(result).toMatchObject({ status: "failed", stopReason: "timeout" });
      expect(result.error?.code).toBe("timeout");
    });
  });

  it("can be consumed with for await, ending with the done event", async () => {
    const model = createScriptedModel([toolCallText("echo", { text: "a" }), done("ok")]);
    const agent = new Agent({ provider: model, tools: [echo], rules: false });
    const types: AgentEvent["type"][] = [];
    let last: AgentEvent | undefined;
    for await (const event of agent.stream("t")) {
      types.push(event.type);
      last = event;
    }
    expect(types[0]).toBe("run-start");
    expect(types).toContain("tool-call");
    expect(last?.type).toBe("done");
    if (last?.type === "done") expect(last.result.summary).toBe("ok");
  });

  it("runs again after a finished run", async () => {
    const model = createScriptedModel([done("one"), done("two")]);
    const agent = new Agent({ provider: model, rules: false });
    expect((await agent.run("a")).summary).toBe("one");
    expect((await agent.run("b")).summary).toBe("two");
  });

  it("refuses a second concurrent run", async () => {
    const model = createScriptedModel([{ text: done(), delayMs: 20 }]);
    const agent = new Agent({ provider: model, rules: false });
    const first = agent.run("a");
    await expect(agent.run("b")).rejects.toMatchObject({ code: "busy" });
    await first;
  });

  it("refuses duplicate and reserved tool names, and bad options", () => {
    const model = createScriptedModel([]);
    expect(() => new Agent({ provider: model, tools: [echo, echo] })).toThrow(/already registered/);
    const agent = new Agent({ provider: model, tools: [echo] });
    expect(() => agent.addTool(echo)).toThrowError(
      expect.objectContaining({ code: "duplicate-tool" }),
    );
    const fakeDone = { ...echo, name: "done" };
    expect(() => agent.addTool(fakeDone)).toThrow(/built in/);
    expect(() => new Agent({ provider: model, maxSteps: 0 })).toThrow(/positive integer/);
    expect(() => new Agent({ provider: {} as ModelProvider })).toThrow(/streamChat/);
    expect(() => defineTool({ ...echo, name: "Bad Name" })).toThrow(/Invalid tool name/);
  });

  // Node's timers hold at most 2^31-1 ms; a longer delay (or Infinity) fires at once, so
  // a run "limited to a month" would fail on its first step with a timeout.
  it("refuses a timeoutMs no timer can hold, and takes Infinity as no limit", async () => {
    const model = createScriptedModel([toolCallText("done", { summary: "ok" })]);
    for (const bad of [3e9, -1, Number.NaN]) {
      expect(() => new Agent({ provider: model, timeoutMs: bad })).toThrowError(
        expect.objectContaining({
          code: "invalid-argument",
          message: expect.stringMatching(/timeoutMs/),
        }),
      );
    }
    const result = await new Agent({ provider: model, timeoutMs: Number.POSITIVE_INFINITY }).run(
      "finish",
    );
    expect(result.status).toBe("done");
  });

  it("refuses an empty task", async () => {
    const agent = new Agent({ provider: createScriptedModel([]) });
    await expect(agent.run("  ")).rejects.toMatchObject({ code: "invalid-argument" });
  });

  it("adds a custom tool with addTool", async () => {
    const model = createScriptedModel([toolCallText("echo", { text: "z" }), done()]);
    const agent = new Agent({ provider: model, rules: false }).addTool(echo);
    const result = await agent.run("t");
    expect(result.status).toBe("done");
    expect(agent.tools.map((t) => t.name)).toEqual(["done", "echo"]);
  });

  it("passes notices from the provider through", async () => {
    const provider: ModelProvider = {
      id: "custom",
      async *streamChat(): AsyncGenerator<StreamPart> {
        yield { type: "notice", kind: "model-fallback", message: "fallback answered" };
        yield { type: "text-delta", text: done() };
        yield { type: "finish", reason: "stop" };
      },
    };
    const agent = new Agent({ provider, rules: false });
    const notices: string[] = [];
    agent.on("notice", (e) => notices.push(e.kind));
    await agent.run("t");
    expect(notices).toEqual(["model-fallback"]);
  });
});

describe("constrained decoding", () => {
  const echoTool = defineTool({
    name: "echo",
    description: "Echo a text.",
    inputSchema: z.object({ text: z.string() }),
    readOnly: true,
    execute: ({ text }) => text,
  });

  it("sends a grammar to a provider that enforces grammars", async () => {
    const model = createScriptedModel([toolCallText("done", { summary: "ok" })]);
    const provider: ModelProvider = { ...model, capabilities: { grammar: true } };
    const result = await new Agent({
      provider,
      tools: [echoTool],
      rules: false,
      constrainedDecoding: "auto",
    }).run("t");
    expect(result.status).toBe("done");
    const request = model.requests[0];
    expect(request?.constraint?.type).toBe("grammar");
    expect(request?.stop).toEqual(["</tool>"]);
    if (request?.constraint?.type === "grammar")
      expect(request.constraint.grammar).toContain("root");
  });

  it("uses a JSON schema and the JSON-only protocol where only schemas are enforced", async () => {
    const model = createScriptedModel([
      '{"name": "echo", "args": {"text": "a"}}',
      '{"name": "done", "args": {"summary": "ok"}}',
    ]);
    const provider: ModelProvider = { ...model, capabilities: { jsonSchema: true } };
    const agent = new Agent({
      provider,
      tools: [echoTool],
      rules: false,
      constrainedDecoding: true,
    });
    const calls: string[] = [];
    agent.on("tool-call", (e) => calls.push(e.name));
    const result = await agent.run("t");
    expect(result.status).toBe("done");
    expect(calls).toEqual(["echo", "done"]);
    expect(model.requests[0]?.constraint?.type).toBe("json-schema");
    expect(model.requests[0]?.messages[0]?.content).toContain("exactly one JSON object");
    expect(model.requests[0]?.stop).toEqual([]);
  });

  it("falls back to the plain protocol with a warning, never silently", async () => {
    const model = createScriptedModel([toolCallText("done", { summary: "ok" })]);
    const agent = new Agent({ provider: model, rules: false, constrainedDecoding: "grammar" });
    const warnings: string[] = [];
    agent.on("warning", (e) => warnings.push(e.kind));
    await agent.run("t");
    expect(warnings).toEqual(["constrained-decoding"]);
    expect(model.requests[0]?.constraint).toBeUndefined();
    expect(model.requests[0]?.messages[0]?.content).toContain("<tool>");
  });

  it("passes grammar caps through", async () => {
    const grammarOf = async (options: { maxStringChars?: number }) => {
      const model = createScriptedModel([toolCallText("done", { summary: "ok" })]);
      const provider: ModelProvider = { ...model, capabilities: { grammar: true } };
      await new Agent({
        provider,
        rules: false,
        constrainedDecoding: "grammar",
        constrainedDecodingOptions: options,
      }).run("t");
      const constraint = model.requests[0]?.constraint;
      return constraint?.type === "grammar" ? constraint.grammar : "";
    };
    expect(await grammarOf({ maxStringChars: 12 })).not.toBe(await grammarOf({}));
  });

  it("sends nothing extra when off", async () => {
    const model = createScriptedModel([toolCallText("done", { summary: "ok" })]);
    const provider: ModelProvider = { ...model, capabilities: { grammar: true } };
    await new Agent({ provider, rules: false }).run("t");
    expect(model.requests[0]?.constraint).toBeUndefined();
  });
});
