import type { Outcome } from "../suite/types.js";
import type { EvalSummary, TaskSummary, VariantSummary } from "./summarize.js";

const SYMBOL: Readonly<Record<Outcome, string>> = { pass: "✓", partial: "~", fail: "✗" };

/**
 * Writes the report as Markdown: the table (model | pass | partial | fail, with pass@1 and
 * the spread over repetitions when there are several), the comparison of variants per
 * task when there are several, the per-task evidence (steps, invalid replies, tool
 * errors, tokens in and out, wall time, failed checks), and for replays the runs that did
 * not score as recorded.
 *
 * @param summary - The summary of the eval.
 * @returns The Markdown text.
 */
export function markdownReport(summary: EvalSummary): string {
  const out: string[] = [];
  const taskCount = new Set(summary.tasks.map((task) => task.task)).size;
  out.push(`## ${summary.suite} · ${taskCount} task${taskCount === 1 ? "" : "s"}`, "");
  out.push(...scoreTable(summary.variants), "");
  if (summary.variants.length > 1) out.push(...comparisonTable(summary), "");
  out.push("### Per task", "", ...taskTable(summary.tasks), "");
  const replay = summary.tasks.some((task) => task.expected !== undefined);
  if (replay) {
    if (summary.mismatches.length === 0) {
      out.push("Every replayed run scored as its recording says.", "");
    } else {
      out.push("### Not as recorded", "");
      for (const m of summary.mismatches) {
        out.push(`- ${m.task} (${m.label}): expected ${m.expected}, got ${m.got}. ${m.detail}`);
      }
      out.push("");
    }
  }
  return `${out.join("\n").trimEnd()}\n`;
}

function scoreTable(variants: readonly VariantSummary[]): string[] {
  const repeated = variants.some((variant) => variant.repeats > 1);
  const head = repeated
    ? "| model | pass | partial | fail | pass@1 | pass spread (min–max, sd) | repeats |"
    : "| model | pass | partial | fail | pass@1 |";
  const rule = repeated ? "|---|--:|--:|--:|--:|--:|--:|" : "|---|--:|--:|--:|--:|";
  const rows = variants.map((v) => {
    const cells = [
      cell(v.label),
      perRepeat(v.pass, v.repeats),
      perRepeat(v.partial, v.repeats),
      perRepeat(v.fail, v.repeats),
      `${Math.round(v.passAt1 * 100)}%`,
    ];
    if (repeated) {
      cells.push(`${v.passSpread.min}–${v.passSpread.max}, ${v.passSpread.stdev.toFixed(1)}`);
      cells.push(String(v.repeats));
    }
    return `| ${cells.join(" | ")} |`;
  });
  return [head, rule, ...rows];
}

/** A count over repetitions: the mean per repetition, as a whole number when it is one. */
function perRepeat(total: number, repeats: number): string {
  const mean = total / repeats;
  return Number.isInteger(mean) ? String(mean) : mean.toFixed(1);
}

function comparisonTable(summary: EvalSummary): string[] {
  const variants = summary.variants;
  const head = `| task | ${variants.map((v) => cell(v.label)).join(" | ")} |`;
  const rule = `|---|${variants.map(() => ":-:").join("|")}|`;
  const tasks = [...new Set(summary.tasks.map((task) => task.task))];
  const rows = tasks.map((task) => {
    const cells = variants.map((v) => {
      const row = summary.tasks.find((t) => t.task === task && t.variant === v.variant);
      return row ? outcomesCell(row.outcomes) : "–";
    });
    return `| ${cell(task)} | ${cells.join(" | ")} |`;
  });
  return ["### Side by side", "", head, rule, ...rows];
}

function outcomesCell(outcomes: readonly Outcome[]): string {
  if (outcomes.length === 1) return `${SYMBOL[outcomes[0] as Outcome]} ${outcomes[0]}`;
  return outcomes.map((outcome) => SYMBOL[outcome]).join("");
}

function taskTable(tasks: readonly TaskSummary[]): string[] {
  const replay = tasks.some((task) => task.expected !== undefined);
  const head = `| task | model | score |${replay ? " expected |" : ""} steps | invalid replies | tool errors | tokens in / out | wall time | stopped | failed checks |`;
  const rule = `|---|---|---|${replay ? "---|" : ""}--:|--:|--:|--:|--:|---|---|`;
  const rows = tasks.map((t) => {
    const cells = [cell(t.task), cell(t.label), outcomesCell(t.outcomes)];
    if (replay) {
      const differs = t.expected !== undefined && t.outcomes.some((o) => o !== t.expected);
      cells.push(t.expected === undefined ? "–" : `${t.expected}${differs ? " ⚠" : ""}`);
    }
    cells.push(
      String(t.steps),
      String(t.invalidReplies),
      String(t.toolErrors),
      `${thousands(t.inputTokens)} / ${thousands(t.outputTokens)}`,
      formatDuration(t.wallMs),
      cell([...new Set(t.stopReasons)].join(", ")),
      cell(t.failedChecks.join(", ") || "–"),
    );
    return `| ${cells.join(" | ")} |`;
  });
  return [head, rule, ...rows];
}

/** Keeps a table cell on one line and its pipes from splitting it. */
function cell(text: string): string {
  return text.replace(/\s+/g, " ").replace(/\|/g, "\\|");
}

function thousands(value: number): string {
  return value.toLocaleString("en-US");
}

/**
 * A duration for people: `850 ms`, `12.3 s`, `4 m 05 s`.
 *
 * @param ms - Milliseconds.
 * @returns The text.
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} m ${String(seconds).padStart(2, "0")} s`;
}
