import type { CheckedCall } from "./interpret-reply.js";
import type { Run } from "./run-context.js";
import { stopRun, type TurnOutcome } from "./turn-outcome.js";

/** Stable JSON (sorted keys) so `{a,b}` and `{b,a}` count as the same call. */
function stableKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableKey).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableKey(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * Counts identical calls (same tool, same arguments) since the workspace last changed:
 * a small model that repeats itself is warned, then stopped.
 */
export class RepeatGuard {
  private readonly counts = new Map<string, number>();

  /**
   * Counts one more call.
   *
   * @param name - The tool.
   * @param args - Its arguments.
   * @returns How many times this exact call was made since the last change.
   */
  count(name: string, args: Record<string, unknown>): number {
    const key = `${name}:${stableKey(args)}`;
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return count;
  }

  /** Forgets the counts: a change to the workspace makes an earlier identical call meaningful again. */
  clear(): void {
    this.counts.clear();
  }
}

/**
 * Checks a call against the repeat limits: past `repeatStopAt` the run stops; past
 * `repeatWarnAt` the model is told (a note on the result) and the user warned.
 *
 * @param run - The run.
 * @param call - The validated call; its notes gain the warning.
 * @returns The call to run, or the stop.
 */
export async function guardRepeats(
  run: Run,
  call: CheckedCall,
): Promise<TurnOutcome | { kind: "call"; call: CheckedCall }> {
  const { tool, step } = call;
  const count = run.repeats.count(tool.name, call.args);
  if (count >= run.settings.repeatStopAt) {
    return stopRun(
      "repeated-calls",
      `The model made the same ${tool.name} call ${count} times with no change in between.`,
    );
  }
  if (count >= run.settings.repeatWarnAt) {
    call.notes.push(
      `You made this exact call ${count} times with nothing changed in between. Do something different.`,
    );
    // The user should see what the model is told, not just a run that seems stuck.
    await run.journal.warning(
      "repeated-call",
      `The model made the same ${tool.name} call ${count} times with nothing changed in between.`,
      step,
    );
  }
  return { kind: "call", call };
}
