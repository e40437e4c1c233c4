/**
 * Formats a limit in milliseconds the way a user writes it (`2s`, `5m`, `1h`), so a
 * `--timeout 2s` is reported as `2s` and not `2000 ms`. A value that is not a whole number
 * of seconds stays in milliseconds.
 *
 * @param ms - The limit.
 * @returns Text such as `2s`, `90s`, `2m`, `2h` or `1500 ms`.
 */
export function formatLimit(ms: number): string {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms > 0 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms} ms`;
}
