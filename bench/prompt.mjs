// Prompt size: the fixed part paid on every turn, and tokens sent per turn over a
// 20-turn scripted session with and without the context policy.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, estimateTokens } from "@gemma-coder/core";
import { createScriptedModel, toolCallText } from "@gemma-coder/core/testing";
import { createTools } from "@gemma-coder/tools";
import { fmt, machine, table } from "./lib.mjs";

const root = mkdtempSync(join(tmpdir(), "gc-bench-prompt-"));
try {
  // A file big enough that reading it costs real context, as in a real session.
  const body = Array.from(
    { length: 400 },
    (_, i) => `def handler_${i}(event):\n    return {"status": 200, "id": ${i}}\n`,
  ).join("");
  writeFileSync(join(root, "app.py"), body);

  const fixedAgent = new Agent({ provider: createScriptedModel([]), tools: createTools({ root }) });
  const fixed = await fixedAgent.systemPrompt();
  table(
    "Fixed prompt (system prompt + tool list + default rulebook)",
    ["characters", "estimated tokens", "target"],
    [[fixed.length, estimateTokens(fixed), "< 1,500 tokens"]],
  );

  const render = (messages) =>
    messages.map((m) => `<start_of_turn>${m.role}\n${m.content}<end_of_turn>\n`).join("");
  const rows = [];
  for (const [label, contextWindow] of [
    ["with context policy (8k window)", 8192],
    ["without (unbounded window)", 1e9],
  ]) {
    let calls = 0;
    const model = createScriptedModel((messages) => {
      if (messages[0]?.content.startsWith("You summarise")) return "Read app.py several times.";
      calls++;
      if (calls > 20) return toolCallText("done", { summary: "ok" });
      return toolCallText("read_file", {
        path: "app.py",
        start_line: calls * 10,
        end_line: calls * 10 + 400,
      });
    });
    const agent = new Agent({
      provider: model,
      tools: createTools({ root }),
      contextWindow,
      maxSteps: 30,
    });
    await agent.run("Summarise app.py");
    const sent = model.requests
      .filter((r) => !r.messages[0]?.content.startsWith("You summarise"))
      .map((r) => estimateTokens(render(r.messages)));
    // Tokens a KV-cached backend must evaluate: the part of each prompt that is not a prefix of the previous one.
    let previous = "";
    const fresh = [];
    for (const request of model.requests) {
      const text = render(request.messages);
      fresh.push(estimateTokens(text.startsWith(previous) ? text.slice(previous.length) : text));
      previous = text;
    }
    const total = sent.reduce((a, b) => a + b, 0);
    rows.push([
      label,
      sent.length,
      fmt(total / sent.length, 0),
      Math.max(...sent),
      total,
      fresh.reduce((a, b) => a + b, 0),
    ]);
  }
  table(
    "Tokens sent over a 20-turn session (read_file of a 20 kB file each turn)",
    [
      "run",
      "requests",
      "mean prompt tokens",
      "max prompt tokens",
      "total tokens sent",
      "total tokens to evaluate with KV cache",
    ],
    rows,
  );
  console.log(`\nmachine: ${machine()}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
