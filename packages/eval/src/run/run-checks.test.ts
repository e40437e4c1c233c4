import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { EvalCheck, EvalTask } from "../suite/types.js";
import { type CheckResult, runChecks, scoreChecks } from "./run-checks.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function taskWith(checks: Partial<EvalCheck>[]): EvalTask {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gemma-coder-eval-checks-"));
  dirs.push(dir);
  return {
    id: "t",
    title: undefined,
    language: undefined,
    kind: undefined,
    dir,
    file: path.join(dir, "task.json"),
    prompt: "x",
    fixture: { kind: "folder", path: dir },
    overlay: undefined,
    checks: checks.map((check, i) => ({
      name: `c${i}`,
      run: "true",
      required: true,
      partial: false,
      timeoutMs: 10_000,
      ...check,
    })),
    maxSteps: 5,
    timeoutMs: 10_000,
    links: [],
    recordings: [],
  };
}

const result = (passed: boolean, required: boolean, partial: boolean): CheckResult => ({
  name: "c",
  passed,
  required,
  partial,
  exitCode: passed ? 0 : 1,
  timedOut: false,
  durationMs: 1,
  output: "",
});

describe("scoreChecks", () => {
  it("passes when every required check passes, whatever the optional ones do", () => {
    expect(scoreChecks([result(true, true, false), result(false, false, false)])).toBe("pass");
  });
  it("is partial when a required check fails but every partial one passes", () => {
    expect(scoreChecks([result(false, true, false), result(true, true, true)])).toBe("partial");
    expect(scoreChecks([result(false, true, false), result(true, false, true)])).toBe("partial");
  });
  it("fails when a partial check fails too, or when no check is marked partial", () => {
    expect(scoreChecks([result(false, true, true), result(true, true, true)])).toBe("fail");
    expect(scoreChecks([result(false, true, false), result(true, true, false)])).toBe("fail");
  });
});

describe("runChecks", () => {
  it("runs each check in the workspace with the task, suite and workspace folders in its environment", async () => {
    const task = taskWith([{ run: "exit 3" }]);
    const dir = task.dir;
    const check = `test "$GEMMA_EVAL_TASK_DIR" = '${dir}' && test "$GEMMA_EVAL_SUITE_DIR" = / && test "$PWD" = "$GEMMA_EVAL_WORKSPACE"`;
    const results = await runChecks(
      { ...task, checks: [{ ...(task.checks[0] as EvalCheck), run: check }, ...task.checks] },
      { dir, suiteDir: "/" },
    );
    expect(results.map((r) => [r.passed, r.exitCode])).toEqual([
      [true, 0],
      [false, 3],
    ]);
  });

  it("kills a check that hangs, with everything it started, and counts it as failed", async () => {
    const marker = `eval-hanging-check-${process.pid}-${Date.now()}`;
    const task = taskWith([
      {
        run: `node -e "setInterval(() => {}, 1000)" ${marker} & sleep 600`,
        timeoutMs: 500,
      },
      { run: "true" },
    ]);
    const [hung, next] = await runChecks(task, { dir: task.dir, suiteDir: task.dir });
    expect(hung).toMatchObject({ passed: false, timedOut: true, exitCode: null });
    expect(hung?.output).toContain("killed after 500 ms");
    expect(next?.passed).toBe(true);
    const ps = spawnSync("ps", ["-eo", "args"], { encoding: "utf8" }).stdout;
    expect(
      ps.split("\n").filter((line) => line.includes(marker) && !line.includes("ps -eo")),
    ).toEqual([]);
  });
});
