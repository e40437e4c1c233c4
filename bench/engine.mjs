// The in-process engine (node-llama-cpp) with a tiny random-weight model: prompt tokens
// evaluated per turn over a multi-turn session (should be the new tokens only, thanks to
// the kept KV cache), and tokens generated after </tool> (should be zero).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildToolCallGrammar, formatToolResult } from "@gemma-coder/core";
import { createTools } from "@gemma-coder/tools";
import { fmt, machine, table } from "./lib.mjs";

let embedded;
let testing;
try {
  embedded = await import("@gemma-coder/embedded");
  testing = await import("@gemma-coder/embedded/testing");
} catch (error) {
  console.log(
    `skipping the engine benchmark: @gemma-coder/embedded is not available (${error.message})`,
  );
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), "gc-bench-engine-"));
const provider = embedded.createEmbedded({
  model: join(dir, "tiny.gguf"),
  threads: 1,
  contextSize: 4096,
  seed: 7,
});
try {
  testing.writeTinyGguf(join(dir, "tiny.gguf"), { seed: 7 });
  const tools = createTools({ root: dir });
  const grammar = buildToolCallGrammar(tools, { maxStringChars: 24, maxPreambleChars: 0 });
  const messages = [
    { role: "system", content: "You are a coding agent. Reply with one <tool> call." },
    { role: "user", content: "List the files." },
  ];
  const rows = [];
  for (let turn = 1; turn <= 6; turn++) {
    let text = "";
    let finish;
    const started = performance.now();
    for await (const part of provider.streamChat({
      messages,
      constraint: { type: "grammar", grammar },
      maxTokens: 96,
    })) {
      if (part.type === "text-delta") text += part.text;
      if (part.type === "finish") finish = part;
    }
    const ms = performance.now() - started;
    const usage = finish?.usage ?? {};
    const newTokens = turn === 1 ? usage.inputTokens : usage.evaluatedInputTokens;
    // Tokens the engine produced beyond the call itself (the stop word is not in the text).
    const callTokens = await provider.countTokens(`${text}</tool>`);
    const after = Math.max(0, (usage.outputTokens ?? 0) - callTokens);
    rows.push([
      turn,
      usage.inputTokens ?? "?",
      usage.evaluatedInputTokens ?? "?",
      usage.cachedInputTokens ?? "?",
      newTokens ?? "?",
      finish?.reason ?? "?",
      usage.outputTokens ?? "?",
      after,
      fmt(ms, 0),
    ]);
    messages.push({ role: "assistant", content: `${text}</tool>` });
    messages.push({
      role: "user",
      content: formatToolResult({ ok: true, value: `result of turn ${turn}` }),
    });
  }
  console.log(`machine: ${machine()}; tiny random-weight GGUF (32-dim, 1 block), threads: 1`);
  table(
    "In-process engine: KV cache reuse and early stop, grammar on",
    [
      "turn",
      "prompt tokens",
      "evaluated",
      "from KV cache",
      "new since last turn",
      "finish",
      "generated",
      "generated after </tool>",
      "ms",
    ],
    rows,
  );
} finally {
  await provider.dispose();
  rmSync(dir, { recursive: true, force: true });
}
