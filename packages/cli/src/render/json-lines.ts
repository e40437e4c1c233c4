/**
 * Serialises an error for a JSON line: its code, message and the SDK's error fields
 * (an `Error`'s message is not an enumerable property, so plain `JSON.stringify` drops it).
 *
 * @param error - Anything thrown or reported.
 * @returns A plain object.
 */
export function errorToJson(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields = error as Error & Record<string, unknown>;
  const out: Record<string, unknown> = { name: error.name, message: error.message };
  for (const key of ["code", "status", "provider", "isRetryable", "retryAfterSeconds"]) {
    if (fields[key] !== undefined) out[key] = fields[key];
  }
  if (error.cause !== undefined) {
    out.cause = error.cause instanceof Error ? error.cause.message : String(error.cause);
  }
  return out;
}

/**
 * Turns one event into one line of JSON (no newline inside): errors keep their code and
 * message, and nothing that cannot be serialised breaks the line.
 *
 * @param event - An agent event, or any value.
 * @returns The line, without its end.
 */
export function toJsonLine(event: unknown): string {
  return JSON.stringify(event, (_key, value: unknown) => {
    if (value instanceof Error) return errorToJson(value);
    if (typeof value === "bigint") return value.toString();
    return value;
  });
}
