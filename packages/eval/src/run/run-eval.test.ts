import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { ModelProvider } from "@gemma-coder/core";
import { createScriptedModel, type Script, toolCallText } from "@gemma-coder/core/testing";
import { describe, expect, it } from "vitest";
import { fileTask, useTempSuites, writeFiles } from "../__fixtures__/make-suite.js";
import { planReplayRuns } from "../replay/replay-runs.js";
import { loadSuite } from "../suite/load-suite.js";
import { planRuns } from "./plan-runs.js";
import { readResults } from "./results-file.js";
import { type EvalProgress, runEval } from "./run-eval.js";
import type { EvalVariant } from "./variant.js";

const { suite, temp } = useTempSuites();

const fixReplies = [
  toolCallText("read_file", { path: "a.txt" }),
  toolCallText("edit_file", { path: "a.txt", old: "broken", new: "fixed" }),
  toolCallText("done", { summary: "fixed" }),
];

/** A variant whose every run gets a fresh scripted model; counts the models made. */
function scripted(id: string, script: (task: string) => Script): EvalVariant & { made: string[] } {
  const made: string[] = [];
  return {
    id,
    label: id,
    made,
    provider: ({ task }): ModelProvider => {
      made.push(task.id);
      return createScriptedModel(script(task.id));
    },
  };
}

const task = (extra: Record<string, unknown> = {}) => ({
  task: fileTask("Fix a.txt.", { file: "a.txt", contains: "fixed" }, extra),
  repo: { "a.txt": "broken\n" },
});

describe("runEval", () => {
  it("runs each task in a fresh copy with the real tools, scores it and keeps its transcript", async () => {
    const dir = suite({ name: "s" }, { a: task(), b: task() });
    const loaded = await loadSuite(dir);
    const good = scripted("good", () => fixReplies);
    const lazy = scripted("lazy", () => [toolCallText("done", { summary: "nothing" })]);
    const outDir = temp();
    const result = await runEval({
      suite: loaded,
      runs: planRuns(loaded, [good, lazy]),
      outDir,
      concurrency: 2,
    });
    expect(result.records.map((r) => [r.key, r.outcome])).toEqual([
      ["good/a/1", "pass"],
      ["lazy/a/1", "fail"],
      ["good/b/1", "pass"],
      ["lazy/b/1", "fail"],
    ]);
    const first = result.records[0];
    expect(first).toMatchObject({ steps: 3, toolCalls: 3, toolErrors: 0, stopReason: "done" });
    // The fixture itself is never touched: every run had its own copy.
    expect(readFileSync(path.join(dir, "tasks", "a", "repo", "a.txt"), "utf8")).toBe("broken\n");
    const transcript = readFileSync(path.join(outDir, first?.transcript ?? ""), "utf8");
    expect(transcript).toContain('"type":"tool-call"');
    expect((await readResults(result.resultsFile)).records).toHaveLength(4);
  });

  it("counts invalid replies and failed tool calls", async () => {
    const loaded = await loadSuite(suite({ name: "s" }, { a: task() }));
    const clumsy = scripted("clumsy", () => [
      "I will fix it.",
      toolCallText("read_file", { path: "missing.txt" }),
      ...fixReplies,
    ]);
    const { records } = await runEval({
      suite: loaded,
      runs: planRuns(loaded, [clumsy]),
      outDir: temp(),
    });
    expect(records[0]).toMatchObject({
      outcome: "pass",
      invalidReplies: 1,
      toolErrors: 1,
      steps: 5,
    });
  });

  it("stops an agent whose model never answers at the task's time limit, and scores it", async () => {
    const loaded = await loadSuite(suite({ name: "s" }, { a: task({ timeout: "300ms" }) }));
    const hanging = scripted("hanging", () => [
      { text: toolCallText("done", { summary: "late" }), delayMs: 600_000 },
    ]);
    const { records } = await runEval({
      suite: loaded,
      runs: planRuns(loaded, [hanging]),
      outDir: temp(),
    });
    expect(records[0]).toMatchObject({ outcome: "fail", status: "failed", stopReason: "timeout" });
  });

  it("stops an agent at the task's step limit", async () => {
    const loaded = await loadSuite(suite({ name: "s" }, { a: task({ maxSteps: 2 }) }));
    const slow = scripted("slow", () => fixReplies);
    const { records } = await runEval({
      suite: loaded,
      runs: planRuns(loaded, [slow]),
      outDir: temp(),
    });
    expect(records[0]).toMatchObject({ outcome: "pass", stopReason: "max-steps", steps: 2 });
  });

  it("resumes an interrupted eval where it stopped, running only what was not recorded", async () => {
    const loaded = await loadSuite(suite({ name: "s" }, { a: task(), b: task(), c: task() }));
    const outDir = temp();
    const stop = new AbortController();
    const first = scripted("m", () => fixReplies);
    const progress: EvalProgress[] = [];
    const interrupted = await runEval({
      suite: loaded,
      runs: planRuns(loaded, [first]),
      outDir,
      signal: stop.signal,
      onProgress: (event) => {
        progress.push(event);
        if (event.type === "run-end") stop.abort();
      },
    });
    expect(interrupted).toMatchObject({ interrupted: true, ran: 1 });
    expect(first.made).toEqual(["a"]);

    // A crash while writing leaves a torn line: it is skipped and that run made again.
    appendFileSync(path.join(outDir, "results.jsonl"), '{"v":1,"key":"m/b/1","outc');
    const second = scripted("m", () => fixReplies);
    const resumed = await runEval({ suite: loaded, runs: planRuns(loaded, [second]), outDir });
    expect(second.made).toEqual(["b", "c"]);
    expect(resumed).toMatchObject({ interrupted: false, ran: 2, resumed: 1 });
    expect(resumed.warnings[0]).toContain("is not JSON");
    expect(resumed.records.map((r) => r.key)).toEqual(["m/a/1", "m/b/1", "m/c/1"]);
    expect((await readResults(resumed.resultsFile)).records).toHaveLength(3);
  });

  it("an interruption during a run does not record it", async () => {
    const loaded = await loadSuite(suite({ name: "s" }, { a: task() }));
    const stop = new AbortController();
    const slow = scripted("slow", () => [{ text: "thinking", delayMs: 600_000 }]);
    const outDir = temp();
    const result = await runEval({
      suite: loaded,
      runs: planRuns(loaded, [slow]),
      outDir,
      signal: stop.signal,
      onProgress: (event) => {
        if (event.type === "run-start") setTimeout(() => stop.abort(), 50);
      },
    });
    expect(result).toMatchObject({ interrupted: true, ran: 0, records: [] });
    expect(existsSync(path.join(outDir, "results.jsonl"))).toBe(false);
  });

  it("passes a variant's agent options to the agent as they are", async () => {
    const loaded = await loadSuite(suite({ name: "s" }, { a: task() }));
    const strict = {
      ...scripted("strict", () => ["no call", ...fixReplies]),
      agentOptions: { maxInvalidReplies: 1 },
    };
    const lenient = scripted("lenient", () => ["no call", ...fixReplies]);
    const { records } = await runEval({
      suite: loaded,
      runs: planRuns(loaded, [strict, lenient]),
      outDir: temp(),
    });
    expect(records.map((r) => [r.variant, r.stopReason, r.outcome])).toEqual([
      ["strict", "invalid-replies", "fail"],
      ["lenient", "done", "pass"],
    ]);
  });

  it("applies the suite's approvals: no-shell refuses commands, read-only offers no writing tool", async () => {
    const replies = [
      toolCallText("run_shell", { command: "echo fixed > a.txt" }),
      toolCallText("write_file", { path: "a.txt", content: "fixed" }),
      toolCallText("done", { summary: "x" }),
    ];
    const results: Record<string, unknown[]> = {};
    for (const approvals of ["allow-all", "no-shell", "read-only"]) {
      const loaded = await loadSuite(suite({ name: "s", approvals }, { a: task() }));
      const model = scripted("m", () => replies);
      const { records } = await runEval({
        suite: loaded,
        runs: planRuns(loaded, [model]),
        outDir: temp(),
      });
      results[approvals] = [
        records[0]?.toolErrors,
        records[0]?.invalidReplies,
        records[0]?.outcome,
      ];
    }
    expect(results).toEqual({
      "allow-all": [0, 0, "pass"],
      "no-shell": [1, 0, "pass"],
      // The writing tools are not offered, so calling them is an invalid reply.
      "read-only": [0, 2, "fail"],
    });
  });

  it("keeps each run's transcript so that it can be replayed as a recording with the same score", async () => {
    const dir = suite({ name: "s" }, { a: task() });
    const loaded = await loadSuite(dir);
    const outDir = temp();
    const clumsy = scripted("m", () => ["let me look", ...fixReplies]);
    const first = await runEval({ suite: loaded, runs: planRuns(loaded, [clumsy]), outDir });
    const transcript = path.join(outDir, first.records[0]?.transcript ?? "");
    writeFiles(path.join(dir, "tasks", "a", "replays"), {
      "kept.json": JSON.stringify({ expect: "pass", transcript }),
    });
    const again = await loadSuite(dir);
    const replay = await runEval({ suite: again, runs: planReplayRuns(again), outDir: temp() });
    expect(replay.records[0]).toMatchObject({
      outcome: "pass",
      expected: "pass",
      invalidReplies: 1,
      steps: 4,
    });
  });

  it("repeats each task and records each repetition", async () => {
    const loaded = await loadSuite(suite({ name: "s" }, { a: task() }));
    const model = scripted("m", () => fixReplies);
    const { records } = await runEval({
      suite: loaded,
      runs: planRuns(loaded, [model], { repeat: 3 }),
      outDir: temp(),
      concurrency: 3,
    });
    expect(records.map((r) => r.key)).toEqual(["m/a/1", "m/a/2", "m/a/3"]);
  });

  it("refuses to start when a command the suite requires fails", async () => {
    const loaded = await loadSuite(suite({ name: "s", requires: ["exit 4"] }, { a: task() }));
    const model = scripted("m", () => fixReplies);
    await expect(
      runEval({ suite: loaded, runs: planRuns(loaded, [model]), outDir: temp() }),
    ).rejects.toMatchObject({ code: "config", message: expect.stringContaining("`exit 4`") });
    expect(model.made).toEqual([]);
  });

  it("lays the overlay over the workspace before the checks, so a check runs the task's own file", async () => {
    const loaded = await loadSuite(
      suite(
        { name: "s" },
        {
          a: {
            ...task({ overlay: { folder: "hidden" } }),
            extra: { "hidden/check.txt": "from the task\n" },
          },
        },
      ),
    );
    const tamper = scripted("tamper", () => [
      toolCallText("write_file", { path: "check.txt", content: "tampered" }),
      toolCallText("done", { summary: "x" }),
    ]);
    const withCheck = {
      ...loaded,
      tasks: loaded.tasks.map((t) => ({
        ...t,
        checks: [
          {
            ...(t.checks[0] as (typeof t.checks)[0]),
            name: "overlay",
            run: "grep -q 'from the task' check.txt",
          },
        ],
      })),
    };
    const { records } = await runEval({
      suite: withCheck,
      runs: planRuns(withCheck, [tamper]),
      outDir: temp(),
    });
    expect(records[0]?.checks[0]?.passed).toBe(true);
  });
});

const hasGit = spawnSync("git", ["--version"]).status === 0;

describe.skipIf(!hasGit)("runEval with a git fixture", () => {
  it("checks out the task's commit, and lays the overlay's paths from the fix commit", async () => {
    const { execFileSync } = await import("node:child_process");
    const { writeFileSync } = await import("node:fs");
    const repo = temp();
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], {
        cwd: repo,
        encoding: "utf8",
      }).trim();
    git("init", "-q");
    writeFileSync(path.join(repo, "a.txt"), "broken\n");
    writeFileSync(path.join(repo, "test.txt"), "old test\n");
    git("add", ".");
    git("commit", "-qm", "before");
    const before = git("rev-parse", "HEAD");
    writeFileSync(path.join(repo, "a.txt"), "fixed\n");
    writeFileSync(path.join(repo, "test.txt"), "new test\n");
    git("commit", "-qam", "fix");
    const fix = git("rev-parse", "HEAD");
    const dir = suite(
      { name: "s" },
      {
        a: {
          task: {
            prompt: "Fix a.txt.",
            fixture: { git: repo, commit: before },
            overlay: { commit: fix, paths: ["test.txt"] },
            checks: [
              { name: "starts before the fix", run: "grep -q broken a.txt" },
              { name: "the fix's test is there", run: "grep -q 'new test' test.txt" },
            ],
          },
        },
      },
    );
    const loaded = await loadSuite(dir);
    const model = scripted("m", () => [toolCallText("done", { summary: "x" })]);
    const outDir = temp();
    const { records } = await runEval({ suite: loaded, runs: planRuns(loaded, [model]), outDir });
    expect(records[0]?.checks.map((c) => c.passed)).toEqual([true, true]);
    expect(records[0]?.outcome).toBe("pass");
  });
});
