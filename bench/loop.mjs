// Agent loop overhead per turn (scripted model, no-op tool) and memory over 1,000 turns.
import { Agent, defineTool } from "@gemma-coder/core";
import { createScriptedModel, toolCallText } from "@gemma-coder/core/testing";
import { z } from "zod";
import { fmt, machine, table } from "./lib.mjs";

const noop = defineTool({
  name: "noop",
  description: "Do nothing.",
  inputSchema: z.object({ i: z.number() }),
  execute: () => "ok",
});

async function session(turns, contextWindow) {
  let calls = 0;
  const model = createScriptedModel((messages) => {
    // A compaction asks for a summary: answer it without counting it as a turn.
    if (messages[0]?.content.startsWith("You summarise")) return "Called noop many times.";
    calls++;
    return calls <= turns
      ? toolCallText("noop", { i: calls })
      : toolCallText("done", { summary: "ok" });
  });
  const agent = new Agent({
    provider: model,
    tools: [noop],
    rules: false,
    maxSteps: turns + 1,
    contextWindow,
  });
  const heap = [];
  let compactions = 0;
  agent.on("context-compacted", () => compactions++);
  agent.on("turn-start", (e) => {
    if (e.step === 100 || e.step === turns) {
      globalThis.gc?.();
      heap.push(process.memoryUsage().heapUsed);
    }
  });
  const start = performance.now();
  const result = await agent.run("loop");
  const ms = performance.now() - start;
  if (result.status !== "done") throw new Error(`bench run failed: ${result.message}`);
  // The scripted model keeps every request for inspection; count what the loop holds, not the recorder.
  model.requests.length = 0;
  return { perTurn: ms / (turns + 1), heap, messages: result.messages.length, compactions };
}

await session(200, 8192); // warm-up
const rows = [];
for (const [label, window] of [
  ["with context policy (8k window)", 8192],
  ["without (unbounded window)", 1e9],
]) {
  const r = await session(1000, window);
  rows.push([
    label,
    fmt(r.perTurn, 3),
    fmt(r.heap[0] / 2 ** 20, 1),
    fmt(r.heap[1] / 2 ** 20, 1),
    r.messages,
    r.compactions,
  ]);
}
console.log(
  `machine: ${machine()}${globalThis.gc ? "" : " (run with --expose-gc for stable heap figures)"}`,
);
table(
  "Agent loop, 1,000 turns with a no-op tool",
  [
    "run",
    "ms per turn",
    "heap at turn 100 (MiB)",
    "heap at turn 1000 (MiB)",
    "messages kept",
    "compactions",
  ],
  rows,
);
