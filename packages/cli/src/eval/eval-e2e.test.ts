// `gemma-coder eval` through the real bin: the starter suite replayed from its recordings
// (what CI runs), a replay that does not score as recorded, and a broken task file.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeTinyGguf } from "@gemma-coder/embedded/testing";
import { afterEach, describe, expect, it } from "vitest";
import { bin, missingBuilds, packageDir, until } from "../__fixtures__/cli-harness.js";
import { call, type ModelServer, startModelServer } from "../__fixtures__/model-server.mjs";

const repoRoot = path.resolve(packageDir, "..", "..");
const evalBuilt = existsSync(path.join(packageDir, "..", "eval", "dist", "index.js"));
const skip = missingBuilds.length > 0 || !evalBuilt;
if (skip) console.warn("Skipping the eval end-to-end tests: run `pnpm build` first.");

/**
 * The folder of the python3 that runs, put first on PATH for the checks: a version
 * manager's shim (pyenv) costs a shell and a lookup for every one of the suite's many
 * python3 calls.
 */
const pythonDir = (() => {
  const found = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], {
    encoding: "utf8",
  });
  return found.status === 0 ? path.dirname(found.stdout.trim()) : undefined;
})();

const env = {
  ...process.env,
  PATH: [pythonDir, process.env.PATH].filter(Boolean).join(path.delimiter),
  NO_COLOR: "1",
};

const temps: string[] = [];
const servers: ModelServer[] = [];
afterEach(async () => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const server of servers.splice(0)) await server.close();
});

function startBin(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done, stderr: () => stderr };
}

function runBin(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return startBin(args).done;
}

/** A one-task suite whose recording states `expect`; the task is fixed by the recording. */
function tinySuite(expect: string, taskFile?: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gemma-coder-eval-e2e-"));
  temps.push(dir);
  const task = path.join(dir, "tasks", "fix");
  mkdirSync(path.join(task, "repo"), { recursive: true });
  mkdirSync(path.join(task, "replays"));
  writeFileSync(path.join(dir, "suite.json"), JSON.stringify({ name: "tiny" }));
  writeFileSync(path.join(task, "repo", "a.txt"), "broken\n");
  writeFileSync(
    path.join(task, "task.json"),
    taskFile ??
      JSON.stringify({
        prompt: "Fix a.txt.",
        fixture: { folder: "repo" },
        checks: [{ name: "a.txt is fixed", run: "grep -q fixed a.txt" }],
      }),
  );
  const call = (name: string, args: object) => ({ tool: name, args });
  writeFileSync(
    path.join(task, "replays", "pass.json"),
    JSON.stringify({
      expect,
      replies: [
        call("edit_file", { path: "a.txt", old: "broken", new: "fixed" }),
        call("done", { summary: "fixed" }),
      ],
    }),
  );
  return dir;
}

describe.skipIf(skip)("gemma-coder eval (the real bin)", () => {
  it(
    "replays the whole starter suite: the table, and exit 0 as every task scores as recorded",
    async () => {
      const result = await runBin(["eval", "evals/starter", "--replay", "--concurrency", "2"]);
      expect(result.stderr).toMatch(/all \d+ recordings scored as recorded/);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("| model | pass | partial | fail | pass@1 |");
      expect(result.stdout).toMatch(/\| replay: pass \| 16 \| 0 \| 0 \| 100% \|/);
      expect(result.stdout).toMatch(/\| replay: fail \| 0 \| 0 \| 16 \| 0% \|/);
      expect(result.stdout).toMatch(/\| replay: partial \| 0 \| 12 \| 0 \| 0% \|/);
      expect(result.stdout).toContain("Every replayed run scored as its recording says.");
    },
    15 * 60_000,
  );

  it("exits 1 and names the recording that does not score as it says", async () => {
    const suite = tinySuite("fail");
    const result = await runBin(["eval", suite, "--replay"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "✗ fix (replay: pass): expected fail, got pass. agent stopped: done; passed checks: a.txt is fixed",
    );
    expect(result.stderr).toContain("1 of 1 recordings did not score as recorded.");
    expect(result.stdout).toContain("| fix | replay: pass | ✓ pass | fail ⚠ |");
  });

  it("exits 2 naming the file and the field of a broken task file, before running anything", async () => {
    const broken = JSON.stringify({
      prompt: "x",
      fixture: { folder: "repo" },
      checks: [{ name: "c" }],
    });
    const suite = tinySuite("pass", broken);
    const result = await runBin(["eval", suite, "--replay"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `gemma-coder eval: ${path.join(suite, "tasks", "fix", "task.json")} (field "checks.0.run"): "checks.0.run" is required.`,
    );
    expect(result.stdout).toBe("");
  });

  it("keeps its results for --out, and a second eval resumes instead of running again", async () => {
    const suite = tinySuite("pass");
    const out = path.join(suite, "out");
    const first = await runBin(["eval", suite, "--replay", "--out", out]);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain("1 run\n");
    const again = await runBin(["eval", suite, "--replay", "--out", out]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("1 run (1 already recorded, resuming)");
    expect(again.stdout).toContain("| fix | replay: pass | ✓ pass | pass |");
  });

  it("runs a suite against a model backend and prints the table with tokens and steps", async () => {
    const model = await startModelServer({
      replies: [
        call("edit_file", { path: "a.txt", old: "broken", new: "fixed" }),
        call("done", { summary: "fixed" }),
      ],
    });
    servers.push(model);
    const suite = tinySuite("pass");
    const out = path.join(suite, "out");
    const result = await runBin([
      ...["eval", suite, "--provider", "ollama", "--base-url", model.url],
      ...["--model", "gemma4:e4b", "--out", out, "--json"],
    ]);
    expect(result.stderr).toContain("[1/1] fix · gemma4:e4b · pass · 2 steps");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.variants).toEqual([
      expect.objectContaining({ label: "gemma4:e4b", pass: 1, partial: 0, fail: 0, steps: 2 }),
    ]);
    expect(report.runs[0]).toMatchObject({ task: "fix", outcome: "pass", toolCalls: 2 });
    expect(report.runs[0].inputTokens).toBeGreaterThan(0);
    expect(existsSync(path.join(out, report.runs[0].transcript))).toBe(true);
    expect(model.chats).toBe(2);
  });

  it(
    "runs a suite on the in-process engine from a local GGUF, one run at a time",
    async () => {
      const suite = tinySuite("pass");
      // Read-only: the random-weight model's calls must not run commands. One short step
      // without a grammar keeps the random model's run brief on a busy machine.
      writeFileSync(
        path.join(suite, "suite.json"),
        JSON.stringify({ name: "tiny", approvals: "read-only", defaults: { maxSteps: 1 } }),
      );
      const model = await writeTinyGguf(path.join(suite, "tiny.gguf"), {
        seed: 5,
        vocabularySize: 32_000,
        contextLength: 16_384,
      });
      const engine = ["eval", suite, "--provider", "embedded", "--model", model];
      const short = ["--constrained", "off", "--set", "maxOutputTokens=16"];
      const result = await runBin([
        ...engine,
        ...short,
        "--out",
        path.join(suite, "out"),
        "--json",
      ]);
      expect(result.stderr).toMatch(/\[1\/1\] fix · embedded tiny\.gguf · .* · fail · 1 steps/);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.variants).toEqual([expect.objectContaining({ pass: 0, fail: 1, steps: 1 })]);
      expect(report.variants[0].label).toMatch(/^embedded tiny\.gguf/);
      expect(report.runs[0].inputTokens).toBeGreaterThan(0);

      // One engine per process: parallel runs would queue behind one another, so say so.
      const parallel = await runBin([...engine, "--concurrency", "2"]);
      expect(parallel.code).toBe(2);
      expect(parallel.stderr).toContain(
        "gemma-coder eval: the in-process engine answers one request at a time: use --concurrency 1 with --provider embedded.",
      );
      const missing = await runBin([
        "eval",
        suite,
        "--provider",
        "embedded",
        "--model",
        "nope.gguf",
      ]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/nope\.gguf does not exist/);
      const unknown = await runBin(["eval", suite, "--provider", "ollam"]);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain(
        'gemma-coder eval: Unknown provider "ollam": use one of ollama, openrouter, llama-cpp, embedded.',
      );
    },
    5 * 60_000,
  );

  it("Ctrl-C stops the eval with 130, drops the run in progress, and the same command resumes", async () => {
    const hanging = await startModelServer({ replies: [{ hang: true }] });
    servers.push(hanging);
    const suite = tinySuite("pass");
    const out = path.join(suite, "out");
    const args = (url: string) => [
      ...["eval", suite, "--provider", "ollama", "--base-url", url, "--model", "gemma4:e4b"],
      ...["--out", out],
    ];
    const first = startBin(args(hanging.url));
    await until(() => hanging.openChats > 0, "the run to ask the model");
    first.child.kill("SIGINT");
    const stopped = await first.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain("Interrupted after 0 of 1 runs. Resume with the same command");
    expect(existsSync(path.join(out, "results.jsonl"))).toBe(false);

    const model = await startModelServer({
      replies: [
        call("edit_file", { path: "a.txt", old: "broken", new: "fixed" }),
        call("done", { summary: "fixed" }),
      ],
    });
    servers.push(model);
    const resumed = await runBin(args(model.url));
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain("| gemma4:e4b | 1 | 0 | 0 | 100% |");
  });
});
