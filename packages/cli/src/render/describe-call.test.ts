import { describe, expect, it } from "vitest";
import { describeCall, describeResult } from "./describe-call.js";

describe("describeCall", () => {
  it("describes each tool in a few words", () => {
    expect(describeCall("write_file", { path: "a.py", content: "x\ny\n" })).toBe(
      "write_file a.py (2 lines)",
    );
    expect(describeCall("edit_file", { path: "a.py", edits: [{}, {}] })).toBe(
      "edit_file a.py (2 edits)",
    );
    expect(describeCall("read_file", { path: "a.py", start_line: 3, end_line: 9 })).toBe(
      "read_file a.py:3-9",
    );
    expect(describeCall("list_files", {})).toBe("list_files .");
    expect(describeCall("search", { pattern: "TODO", path: "src" })).toBe('search "TODO" in src');
    expect(describeCall("run_shell", { command: "pytest\n-q" })).toBe("run_shell $ pytest -q");
    expect(describeCall("custom", { a: 1 })).toBe('custom {"a":1}');
  });

  it("shortens long descriptions to one line", () => {
    const text = describeCall("run_shell", { command: "x".repeat(300) }, 40);
    expect(text).toHaveLength(40);
    expect(text.endsWith("…")).toBe(true);
  });
});

describe("describeResult", () => {
  it("gives the first line of a result, or the size of a read", () => {
    expect(describeResult("run_shell", { ok: true, value: "exit 0 in 5ms\nlots of output" })).toBe(
      "exit 0 in 5ms",
    );
    expect(describeResult("read_file", { ok: true, value: "1\n2\n3\n" })).toBe("3 lines");
    expect(describeResult("write_file", { ok: false, error: "denied\nsecond" })).toBe(
      "denied second",
    );
  });
});
