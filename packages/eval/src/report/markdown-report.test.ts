import { describe, expect, it } from "vitest";
import type { RunRecord } from "../run/run-record.js";
import type { Outcome } from "../suite/types.js";
import { jsonReport } from "./json-report.js";
import { formatDuration, markdownReport } from "./markdown-report.js";
import { summarize } from "./summarize.js";

function record(
  variant: string,
  task: string,
  repeat: number,
  outcome: Outcome,
  extra: Partial<RunRecord> = {},
): RunRecord {
  return {
    v: 1,
    key: `${variant}/${task}/${repeat}`,
    suite: "s",
    variant,
    label: variant,
    task,
    repeat,
    outcome,
    status: "done",
    stopReason: "done",
    steps: 3,
    invalidReplies: 1,
    toolCalls: 3,
    toolErrors: 0,
    inputTokens: 1500,
    outputTokens: 20,
    agentMs: 900,
    checksMs: 100,
    wallMs: 1000,
    checks: [
      {
        name: "tests",
        passed: outcome === "pass",
        required: true,
        partial: false,
        exitCode: 0,
        timedOut: false,
        durationMs: 1,
        output: "",
      },
    ],
    startedAt: "2026-01-01T00:00:00.000Z",
    ...extra,
  };
}

describe("the report", () => {
  it("prints the seed's table with the evidence per task", () => {
    const summary = summarize("starter", [
      record("e2b", "a", 1, "pass"),
      record("e2b", "b", 1, "partial"),
      record("e2b", "c", 1, "fail", { stopReason: "max-steps" }),
    ]);
    expect(summary.variants[0]).toMatchObject({ pass: 1, partial: 1, fail: 1, passAt1: 1 / 3 });
    const text = markdownReport(summary);
    expect(text).toContain("## starter · 3 tasks");
    expect(text).toContain(
      "| model | pass | partial | fail | pass@1 |\n|---|--:|--:|--:|--:|\n| e2b | 1 | 1 | 1 | 33% |",
    );
    expect(text).toContain(
      "| c | e2b | ✗ fail | 3 | 1 | 0 | 1,500 / 20 | 1.0 s | max-steps | tests |",
    );
    expect(text).not.toContain("Side by side");
  });

  it("puts variants side by side, and reports pass@1 and the spread over repetitions", () => {
    const summary = summarize("s", [
      record("text", "a", 1, "pass"),
      record("native", "a", 1, "fail"),
      record("text", "a", 2, "fail"),
      record("native", "a", 2, "fail"),
      record("text", "b", 1, "pass"),
      record("native", "b", 1, "pass"),
      record("text", "b", 2, "pass"),
      record("native", "b", 2, "partial"),
    ]);
    const text = summary.variants.find((v) => v.variant === "text");
    expect(text).toMatchObject({ pass: 3, runs: 4, repeats: 2, passAt1: 0.75 });
    expect(text?.passSpread).toEqual({ min: 1, max: 2, stdev: 0.5 });
    const markdown = markdownReport(summary);
    expect(markdown).toContain("| text | 1.5 | 0 | 0.5 | 75% | 1–2, 0.5 | 2 |");
    expect(markdown).toContain(
      "### Side by side\n\n| task | text | native |\n|---|:-:|:-:|\n| a | ✓✗ | ✗✗ |\n| b | ✓✓ | ✓~ |",
    );
  });

  it("lists the replayed runs that did not score as recorded", () => {
    const summary = summarize("s", [
      record("replay-pass", "a", 1, "pass", { expected: "pass" }),
      record("replay-fail", "a", 1, "pass", { expected: "fail" }),
    ]);
    expect(summary.mismatches).toEqual([
      expect.objectContaining({ task: "a", label: "replay-fail", expected: "fail", got: "pass" }),
    ]);
    const text = markdownReport(summary);
    expect(text).toContain("| a | replay-fail | ✓ pass | fail ⚠ |");
    expect(text).toContain(
      "- a (replay-fail): expected fail, got pass. agent stopped: done; passed checks: tests",
    );
    expect(jsonReport(summary, []).mismatches).toHaveLength(1);
  });

  it("formats durations for people", () => {
    expect([formatDuration(850), formatDuration(12_345), formatDuration(245_000)]).toEqual([
      "850 ms",
      "12.3 s",
      "4 m 05 s",
    ]);
  });
});
