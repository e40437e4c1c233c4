/**
 * A duration as a suite file writes it: a number of seconds (`90`) or a string with a unit
 * (`"500ms"`, `"90s"`, `"10m"`, `"1h"`).
 */
export type DurationText = number | string;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The longest limit a timer can hold (Node fires longer ones at once): 24 days. */
const MAX_MS = 24 * 24 * 3_600_000;

/**
 * Reads a duration into milliseconds.
 *
 * @param value - Seconds as a number, or a number with `ms`, `s`, `m` or `h`.
 * @returns Milliseconds, or `undefined` when it is not a positive duration of at most 24 days.
 */
export function parseDuration(value: DurationText): number | undefined {
  let ms: number;
  if (typeof value === "number") ms = value * 1000;
  else {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(value);
    if (!match) return undefined;
    ms = Number(match[1]) * (UNIT_MS[(match[2] ?? "s").toLowerCase()] ?? 1000);
  }
  ms = Math.round(ms);
  return Number.isFinite(ms) && ms > 0 && ms <= MAX_MS ? ms : undefined;
}
