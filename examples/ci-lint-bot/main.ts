/**
 * A CI bot that fixes lint errors in a repository: it may edit files and run only the
 * lint command; anything else is denied through the approval hook.
 *
 *   pnpm --filter @gemma-coder/examples ci-lint-bot <repo> "<lint command>"
 *
 * With no repository it creates a demo one and replays a scripted fix, so it runs in CI
 * with no model; set OLLAMA_MODEL to let a real model do the work.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Agent, type ModelProvider, type RunResult } from "@gemma-coder/core";
import { createScriptedModel, toolCallText } from "@gemma-coder/core/testing";
import { createOllama } from "@gemma-coder/providers/ollama";
import { type ApprovalHandler, createTools } from "@gemma-coder/tools";

/** Options of {@link fixLint}. */
export interface FixLintOptions {
  /** The repository to fix. */
  root: string;
  /** The lint command, run with a shell in the repository; exit 0 means clean. */
  lintCommand: string;
  /** The model. */
  provider: ModelProvider;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** Runs the bot: edits allowed, shell limited to the lint command. */
export async function fixLint(options: FixLintOptions): Promise<RunResult> {
  const log = options.log ?? console.log;
  const approve: ApprovalHandler = ({ tool, input }) => {
    if (tool !== "run_shell") return true;
    const command = (input as { command?: string }).command?.trim();
    return command === options.lintCommand
      ? true
      : { allow: false, reason: `only the lint command may run: ${options.lintCommand}` };
  };
  const agent = new Agent({
    provider: options.provider,
    tools: createTools({ root: options.root, shellTimeoutMs: 60_000 }),
    // On the Agent: the answer comes before anything is checkpointed or run.
    approve,
    workspace: options.root,
    maxSteps: 20,
  });
  agent.on("tool-call", (e) => log(`${e.name} ${JSON.stringify(e.args)}`));
  agent.on("tool-result", (e) => {
    if (!e.result.ok) log(`  error: ${e.result.error.split("\n")[0]}`);
  });
  return agent.run(
    `Run \`${options.lintCommand}\`, fix every lint error it reports with the smallest edits, run it again until it passes, then call done.`,
  );
}

/** A tiny repository with a lint error and a lint script: `var` is not allowed. */
export function makeDemoRepo(): string {
  const root = mkdtempSync(join(tmpdir(), "gc-lint-bot-"));
  writeFileSync(join(root, "index.js"), 'var greeting = "hello";\nconsole.log(greeting);\n');
  writeFileSync(
    join(root, "lint.mjs"),
    [
      'import { readFileSync } from "node:fs";',
      'const lines = readFileSync("index.js", "utf8").split("\\n");',
      "let errors = 0;",
      "lines.forEach((line, i) => { if (/\\bvar\\b/.test(line)) { console.log('index.js:' + (i + 1) + ': use const or let instead of var'); errors++; } });",
      "process.exit(errors > 0 ? 1 : 0);",
      "",
    ].join("\n"),
  );
  return root;
}

/** The scripted fix replayed for the demo. */
export const SCRIPT = [
  toolCallText("run_shell", { command: "node lint.mjs" }),
  toolCallText("edit_file", {
    path: "index.js",
    old: 'var greeting = "hello";',
    new: 'const greeting = "hello";',
  }),
  toolCallText("run_shell", { command: "rm -rf /tmp/anything" }),
  toolCallText("run_shell", { command: "node lint.mjs" }),
  toolCallText("done", { summary: "Replaced var with const in index.js; node lint.mjs passes." }),
];

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = process.argv[2] ?? makeDemoRepo();
  const lintCommand = process.argv[3] ?? "node lint.mjs";
  const model = process.env.OLLAMA_MODEL;
  const result = await fixLint({
    root,
    lintCommand,
    provider: model ? createOllama({ model }) : createScriptedModel(SCRIPT),
  });
  console.log(`${result.status}: ${result.summary ?? result.message}`);
  process.exitCode = result.status === "done" ? 0 : 1;
}
