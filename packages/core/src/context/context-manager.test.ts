import { describe, expect, it, vi } from "vitest";
import { formatToolResult } from "../protocol/tool-result.js";
import type { ChatMessage } from "../provider/provider.js";
import { ContextManager } from "./context-manager.js";
import { estimateTokens } from "./estimate-tokens.js";

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i % 10}`).join(" ");

function conversation(turns: number, resultWords = 300): ChatMessage[] {
  const messages: ChatMessage[] = [
    { role: "system", content: "SYSTEM PROMPT" },
    { role: "user", content: "THE TASK" },
  ];
  for (let i = 0; i < turns; i++) {
    messages.push({
      role: "assistant",
      content: `<tool>{"name": "read_file", "args": {"path": "f${i}"}}</tool>`,
    });
    messages.push({
      role: "user",
      content: formatToolResult({ ok: true, value: `R${i} ${words(resultWords)}` }),
    });
  }
  return messages;
}

describe("estimateTokens", () => {
  it("grows with the text and counts code symbols", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("hello world")).toBe(2);
    expect(estimateTokens("a".repeat(1000))).toBeGreaterThan(estimateTokens("a".repeat(100)));
    expect(estimateTokens("f(x) { return x[0]; }")).toBeGreaterThan(estimateTokens("f x return x"));
    expect(estimateTokens("line\nline\nline")).toBe(5);
  });
});

describe("ContextManager", () => {
  it("leaves a conversation that fits untouched", async () => {
    const messages = conversation(2, 10);
    const copy = [...messages];
    expect(await new ContextManager({ budget: 10_000 }).fit(messages)).toEqual([]);
    expect(messages).toEqual(copy);
  });

  it("elides the oldest tool results first and keeps system, task and the latest turns", async () => {
    const messages = conversation(10);
    const manager = new ContextManager({ budget: 3_000 });
    const total = await manager.countAll(messages);
    expect(total).toBeGreaterThan(3_000);
    const changes = await manager.fit(messages);
    expect(changes.map((c) => c.kind)).toEqual(["elide"]);
    expect(changes[0]?.tokensAfter).toBeLessThan(changes[0]?.tokensBefore ?? 0);
    expect(await manager.countAll(messages)).toBeLessThanOrEqual(3_000);
    expect(messages[0]?.content).toBe("SYSTEM PROMPT");
    expect(messages[1]?.content).toBe("THE TASK");
    expect(messages[3]?.content).toContain("elided to save context");
    // The latest two turns are intact.
    expect(messages.at(-1)?.content).toContain("R9 ");
    expect(messages.at(-3)?.content).toContain("R8 ");
    // Calls themselves stay, so the model still sees what it did.
    expect(messages[2]?.content).toContain('"path": "f0"');
  });

  it("trims rarely: after eliding, a few more turns fit without another change", async () => {
    const messages = conversation(10);
    const manager = new ContextManager({ budget: 3_000 });
    await manager.fit(messages);
    const snapshot = [...messages];
    messages.push(...conversation(1, 100).slice(2));
    expect(await manager.fit(messages)).toEqual([]);
    expect(messages.slice(0, snapshot.length)).toEqual(snapshot);
  });

  it("compacts with one summarising call whose request fits the budget", async () => {
    // Long replies (big writes) that elision cannot shrink enough.
    const messages: ChatMessage[] = [
      { role: "system", content: "SYSTEM" },
      { role: "user", content: "THE TASK" },
    ];
    for (let i = 0; i < 12; i++) {
      messages.push({
        role: "assistant",
        content: `<tool>{"name": "write_file", "args": {"content": "${words(250)}"}}</tool>`,
      });
      messages.push({ role: "user", content: formatToolResult({ ok: true, value: "ok" }) });
    }
    const budget = 1_500;
    const manager = new ContextManager({ budget, keepRecent: 2 });
    const summarize = vi.fn(async (request: readonly ChatMessage[]) => {
      expect(await manager.countAll(request)).toBeLessThanOrEqual(budget - 400);
      return "Wrote twelve files.";
    });
    const changes = await manager.fit(messages, summarize);
    expect(summarize).toHaveBeenCalledTimes(1);
    expect(changes.map((c) => c.kind)).toEqual(["elide", "compact"]);
    expect(await manager.countAll(messages)).toBeLessThanOrEqual(budget);
    expect(messages[1]?.content).toMatch(
      /^THE TASK\n\nProgress so far \(summary of earlier turns\):\nWrote twelve files\.$/,
    );
    // Roles still alternate: system, user (task + summary), assistant, user.
    expect(messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
  });

  it("summarises again from the original task, not nesting summaries", async () => {
    const manager = new ContextManager({ budget: 1_500, keepRecent: 2 });
    const big = () => ({
      role: "assistant" as const,
      content: `<tool>{"name": "w", "args": {"c": "${words(400)}"}}</tool>`,
    });
    const messages: ChatMessage[] = [
      { role: "system", content: "S" },
      { role: "user", content: "TASK" },
    ];
    for (let i = 0; i < 6; i++)
      messages.push(big(), { role: "user", content: "<tool_result>ok</tool_result>" });
    await manager.fit(messages, async () => "first summary");
    for (let i = 0; i < 6; i++)
      messages.push(big(), { role: "user", content: "<tool_result>ok</tool_result>" });
    await manager.fit(messages, async () => "second summary");
    expect(messages[1]?.content).toBe(
      "TASK\n\nProgress so far (summary of earlier turns):\nsecond summary",
    );
  });

  it("drops the middle with a note when the summarising call fails", async () => {
    const messages = conversation(12, 400).map((m) =>
      m.role === "assistant" ? { ...m, content: m.content + words(300) } : m,
    );
    const manager = new ContextManager({ budget: 1_500, keepRecent: 2 });
    const changes = await manager.fit(messages, async () => {
      throw new Error("server down");
    });
    expect(changes.map((c) => c.kind)).toContain("compact");
    expect(messages[1]?.content).toMatch(/earlier messages were dropped/);
    expect(await manager.countAll(messages)).toBeLessThanOrEqual(1_500);
  });

  it("falls back to the estimate when the exact counter fails", async () => {
    const manager = new ContextManager({
      budget: 100,
      count: () => {
        throw new Error("tokenize endpoint gone");
      },
    });
    expect(await manager.countMessage({ role: "user", content: "hello world" })).toBe(2 + 4);
  });
});
