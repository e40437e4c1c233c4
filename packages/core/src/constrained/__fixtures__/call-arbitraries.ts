import fc from "fast-check";

/** Text that can travel inside a call: anything but a literal `</tool>`. */
export const text = (options: { minLength?: number; maxLength?: number } = {}) =>
  fc
    .string({ unit: "binary", maxLength: options.maxLength ?? 24, minLength: options.minLength ?? 0 })
    .filter((s) => !s.includes("</tool>"));

const line = fc.integer({ min: 1, max: 1_000_000 });

/** Valid arguments for each tool of `DEFAULT_SHAPES` (and `done`). */
export const validArgs: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  read_file: fc.record(
    { path: text(), start_line: line, end_line: line },
    { requiredKeys: ["path"] },
  ),
  list_files: fc.record({ path: text(), max: line }, { requiredKeys: [] }),
  search: fc.record(
    { pattern: text(), path: text(), glob: text(), ignore_case: fc.boolean(), fixed: fc.boolean() },
    { requiredKeys: ["pattern"] },
  ),
  write_file: fc.record({ path: text(), content: text({ maxLength: 80 }) }),
  edit_file: fc.record(
    {
      path: text(),
      old: text(),
      new: text(),
      replace_all: fc.boolean(),
      edits: fc.array(
        fc.record(
          { old: text(), new: text(), replace_all: fc.boolean() },
          { requiredKeys: ["old", "new"] },
        ),
        { maxLength: 3 },
      ),
    },
    { requiredKeys: ["path", "old", "new"] },
  ),
  run_shell: fc.record({ command: text(), timeout_ms: line }, { requiredKeys: ["command"] }),
  done: fc.record({ summary: text({ minLength: 1 }) }),
};

/** A valid call to one of the tools above. */
export const validCall = fc.oneof(
  ...Object.entries(validArgs).map(([name, args]) => args.map((a) => ({ name, args: a }))),
);

/** JSON with the spacing the protocol teaches: `{"name": "x", "args": {...}}`. */
export function spacedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(spacedJson).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${spacedJson(v)}`);
    return `{${entries.join(", ")}}`;
  }
  return JSON.stringify(value);
}

/** The ways a well-behaved model writes a call object. */
export const jsonStyle = fc.constantFrom(
  (v: unknown) => JSON.stringify(v),
  spacedJson,
  (v: unknown) => JSON.stringify(v, null, 2),
);

/** A short sentence before the call: no `<`, at most `max` characters. */
export const preamble = (max = 200) =>
  fc.string({ maxLength: max }).filter((s) => !s.includes("<"));
