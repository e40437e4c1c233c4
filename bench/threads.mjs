// How the in-process engine's thread count changes the time of a short turn: one engine
// per setting (the engine's default, then 1 thread), on a 32,000-token-vocabulary random
// model, the same 500-word prompt twice (the second turn reuses the cached prompt, so it is
// almost only generation). Prints the figures and the load average, since the default
// (every core) is what suffers when other processes compete for the cores.
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createEmbedded } from "@gemma-coder/embedded";
import { writeTinyGguf } from "@gemma-coder/embedded/testing";

const dir = mkdtempSync(join(tmpdir(), "gemma-coder-bench-threads-"));
const model = await writeTinyGguf(join(dir, "random-32k.gguf"), {
  seed: 5,
  vocabularySize: 32_000,
  contextLength: 16_384,
});
const prompt = "word ".repeat(500);

async function turns(threads) {
  const engine = createEmbedded({ model, contextSize: 4096, gpu: false, threads });
  const times = [];
  for (const turn of [0, 1]) {
    const started = performance.now();
    const messages = [{ role: "user", content: `${prompt}${turn}` }];
    for await (const part of engine.streamChat({ messages, maxTokens: 8, temperature: 1 })) {
      if (part.type === "finish") times.push(Math.round(performance.now() - started));
    }
  }
  await engine.dispose?.();
  return times;
}

console.log("\n## In-process engine: threads and a short turn (8 tokens)\n");
const load = () =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(" / ");
console.log(`load average before: ${load()}\n`);
console.log("| threads | first turn (load + prompt), ms | second turn (cached prompt), ms |");
console.log("|---|--:|--:|");
try {
  for (const threads of [undefined, 1]) {
    const [first, second] = await turns(threads);
    console.log(`| ${threads ?? "engine default"} | ${first} | ${second} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\nload average after: ${load()}`);
