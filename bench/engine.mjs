// The real engines on a 32,000-token-vocabulary random-weight model, 20 turns with the
// tool-call grammar on: per turn, prompt tokens evaluated against cached against new,
// whether the call was valid, and tokens generated after </tool>.
//
// - The in-process engine (node-llama-cpp) always runs, on a model the project generates.
// - A llama-server runs too when one is given: GEMMA_CODER_BENCH_LLAMA_URL=http://127.0.0.1:8080
//   or `node bench/engine.mjs --llama-url http://127.0.0.1:8080` (start it on a model with a
//   Gemma chat template, see docs/performance.md).
//
// "new" counts the prompt tokens a perfect cache would still have to evaluate: what this
// turn added after the previous reply, plus the reply's last token, which the engine
// sampled but never evaluated. Goals: 100% valid calls, evaluated == new after turn 1,
// 0 tokens after </tool>.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSystemPrompt, doneTool, formatToolResult, parseReply } from "@gemma-coder/core";
import { planToolCallConstraint } from "@gemma-coder/core/internal";
import { createTools } from "@gemma-coder/tools";
import { fmt, machine, table } from "./lib.mjs";

const TURNS = 20;
/** The tools with the built-in `done`, as the agent offers them. */
const withDone = (list) => (list.some((tool) => tool.name === "done") ? list : [...list, doneTool]);
const MAX_OUTPUT_TOKENS = 1024;
const argv = process.argv.slice(2);
const flag = argv.indexOf("--llama-url");
const llamaUrl = flag !== -1 ? argv[flag + 1] : process.env.GEMMA_CODER_BENCH_LLAMA_URL;

let embedded;
let testing;
try {
  embedded = await import("@gemma-coder/embedded");
  testing = await import("@gemma-coder/embedded/testing");
} catch (error) {
  console.log(
    `skipping the in-process engine: @gemma-coder/embedded is not available (${error.message})`,
  );
}

const dir = mkdtempSync(join(tmpdir(), "gc-bench-engine-"));
const tools = createTools({ root: dir }).filter((tool) => tool.name !== "run_shell");
const toolNames = withDone(tools).map((tool) => tool.name);

/** Runs TURNS turns the way the agent does and prints one row per turn. */
async function session(label, provider) {
  const plan = planToolCallConstraint({
    tools,
    capabilities: provider.capabilities,
    mode: "grammar",
    maxOutputTokens: MAX_OUTPUT_TOKENS,
  });
  const messages = [
    { role: "system", content: buildSystemPrompt({ tools: withDone(tools) }) },
    { role: "user", content: "Fix the failing test in tests/test_api.py." },
  ];
  const rows = [];
  let valid = 0;
  let previous;
  let after = 0;
  const cachedShare = [];
  for (let turn = 1; turn <= TURNS; turn++) {
    let text = "";
    let finish;
    const started = performance.now();
    for await (const part of provider.streamChat({
      messages,
      stop: plan.stop,
      constraint: plan.constraint,
      maxTokens: MAX_OUTPUT_TOKENS,
    })) {
      if (part.type === "text-delta") text += part.text;
      if (part.type === "finish") finish = part;
    }
    const ms = performance.now() - started;
    const usage = finish?.usage ?? {};
    const ids = finish?.tokens?.ids.length;
    const fresh =
      previous === undefined
        ? usage.inputTokens
        : usage.inputTokens - (previous.input + previous.ids - 1);
    const parsed = parseReply(text, { toolNames, finishReason: finish?.reason ?? "stop" });
    const tool =
      parsed.kind === "call" ? withDone(tools).find((t) => t.name === parsed.call.name) : undefined;
    const ok = tool?.inputSchema.safeParse(parsed.call.args).success === true;
    if (ok) valid++;
    // The stop sequence ends the reply: anything sampled past </tool> is waste.
    const extra =
      finish?.tokens?.text.endsWith("</tool>") && ids !== undefined
        ? Math.max(0, (usage.outputTokens ?? ids) - ids)
        : "?";
    if (typeof extra === "number") after += extra;
    if (turn > 1 && usage.inputTokens)
      cachedShare.push((usage.cachedInputTokens ?? 0) / usage.inputTokens);
    rows.push([
      turn,
      usage.inputTokens ?? "?",
      usage.evaluatedInputTokens ?? "?",
      usage.cachedInputTokens ?? "?",
      fresh ?? "?",
      ok ? "yes" : "NO",
      finish?.reason ?? "?",
      ids ?? "?",
      extra,
      fmt(ms, 0),
    ]);
    previous = { input: usage.inputTokens ?? 0, ids: ids ?? 0 };
    // The history keeps the reply exactly as generated, with its tokens (as the agent does).
    const tokens = finish?.tokens;
    messages.push(
      tokens && (tokens.text === text || tokens.text.startsWith(text))
        ? { role: "assistant", content: tokens.text, tokens }
        : { role: "assistant", content: `${text}</tool>` },
      { role: "user", content: formatToolResult({ ok: true, value: `result of turn ${turn}` }) },
    );
  }
  const matched = rows.slice(1).filter((row) => row[2] === row[4]).length;
  const minShare = cachedShare.length ? Math.min(...cachedShare) : 0;
  table(
    `${label}: ${TURNS} turns, grammar on`,
    [
      "turn",
      "prompt",
      "evaluated",
      "cached",
      "new",
      "valid",
      "finish",
      "reply tokens",
      "after </tool>",
      "ms",
    ],
    rows,
  );
  console.log(
    `\nvalid calls: ${valid}/${TURNS} · turns 2-${TURNS} with evaluated == new: ${matched}/${TURNS - 1} · least cached share after turn 1: ${fmt(minShare * 100, 1)}% · tokens after </tool>: ${after}`,
  );
}

try {
  console.log(`machine: ${machine()}`);
  if (embedded && testing) {
    const model = join(dir, "random-32k.gguf");
    await testing.writeTinyGguf(model, { seed: 7, vocabularySize: 32_000 });
    const provider = embedded.createEmbedded({
      model,
      threads: 1,
      contextSize: 16_384,
      temperature: 1,
      seed: 7,
    });
    try {
      await session(
        "In-process engine, random model, 32,000-token vocabulary, 32 wide, 1 block",
        provider,
      );
    } finally {
      await provider.dispose();
    }
  }
  if (llamaUrl) {
    const { createLlamaCpp } = await import("../packages/providers/dist/index.js");
    const provider = createLlamaCpp({ baseUrl: llamaUrl, extraBody: { temperature: 1, seed: 7 } });
    try {
      await provider.waitForReady({ timeoutMs: 60_000 });
      await session(`llama-server at ${llamaUrl}`, provider);
    } finally {
      await provider.dispose();
    }
  } else {
    console.log(
      "\n(no llama-server given: set GEMMA_CODER_BENCH_LLAMA_URL or pass --llama-url to measure one)",
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
