/**
 * The same task on three providers, with one line changed.
 *
 *   pnpm --filter @gemma-coder/examples three-providers ollama|openrouter|llama-cpp [base-url]
 *
 * With no base URL it starts a loopback server that replays a scripted fix, so it runs
 * with no model installed; point it at a real server to use a real model.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Agent, type ModelProvider, type RunResult } from "@gemma-coder/core";
import { toolCallText } from "@gemma-coder/core/testing";
import { createLlamaCpp, createOllama, createOpenRouter } from "@gemma-coder/providers";
import { createTools } from "@gemma-coder/tools";
import { startFakeModelServer } from "../shared/fake-model-server.js";

/** The providers this example can switch between. */
export type ProviderName = "ollama" | "openrouter" | "llama-cpp";

/** Builds a provider: switching backends is this one line. */
export function createProvider(name: ProviderName, baseUrl?: string): ModelProvider {
  const url = baseUrl === undefined ? {} : { baseUrl };
  if (name === "ollama") return createOllama({ model: "gemma4:e2b", ...url });
  if (name === "openrouter")
    return createOpenRouter({ apiKey: process.env.OPENROUTER_API_KEY ?? "demo-key", ...url });
  return createLlamaCpp(url);
}

/** The scripted fix the loopback server replays. */
export const SCRIPTED_FIX = [
  toolCallText("read_file", { path: "sum.js" }),
  toolCallText("edit_file", { path: "sum.js", old: "i <= xs.length", new: "i < xs.length" }),
  toolCallText("run_shell", { command: "node sum.js" }),
  toolCallText("done", { summary: "Fixed the off-by-one in sum(); node sum.js prints 6." }),
];

/** Creates a scratch repository with an off-by-one bug. */
export function makeScratchRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), "gc-three-providers-"));
  writeFileSync(
    join(dir, "sum.js"),
    "function sum(xs) {\n  let total = 0;\n  for (let i = 0; i <= xs.length; i++) total += xs[i];\n  return total;\n}\nconsole.log(sum([1, 2, 3]));\n",
  );
  return dir;
}

/** Runs the task against one provider. */
export async function main(
  name: ProviderName,
  baseUrl?: string,
  root = makeScratchRepo(),
): Promise<RunResult> {
  const fake = baseUrl === undefined ? await startFakeModelServer(SCRIPTED_FIX) : undefined;
  const provider = createProvider(name, baseUrl ?? fake?.url);
  try {
    const agent = new Agent({
      provider,
      tools: createTools({ root }),
      workspace: root,
      maxSteps: 10,
    });
    agent.on("tool-call", (e) => console.log(`[${name}] ${e.name} ${JSON.stringify(e.args)}`));
    const result = await agent.run("sum.js prints NaN instead of 6. Fix it and check.");
    console.log(`[${name}] ${result.status}: ${result.summary ?? result.message}`);
    return result;
  } finally {
    await provider.dispose?.();
    await fake?.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const name = (process.argv[2] ?? "ollama") as ProviderName;
  const result = await main(name, process.argv[3]);
  process.exitCode = result.status === "done" ? 0 : 1;
}
