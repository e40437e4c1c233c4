import { GemmaCoderError } from "@gemma-coder/core";
import { describe, expect, it } from "vitest";
import { OPTION_NAMES, parseCliArgs, parseDuration } from "./args.js";
import { HELP_TEXT } from "./help.js";

function usageError(argv: string[]): GemmaCoderError {
  try {
    parseCliArgs(argv);
  } catch (error) {
    if (GemmaCoderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a usage error");
}

describe("parseCliArgs", () => {
  it("joins positional words into the task and reads every flag", () => {
    const args = parseCliArgs([
      "--provider",
      "ollama",
      "-m",
      "gemma4:e2b",
      "--base-url",
      "http://127.0.0.1:1234",
      "-y",
      "--read-only",
      "--json",
      "--max-steps",
      "12",
      "--timeout",
      "2m",
      "-C",
      "sub",
      "--rules",
      "RULES.md",
      "--verbose",
      "fix",
      "the test",
    ]);
    expect(args).toMatchObject({
      command: "run",
      task: "fix the test",
      provider: "ollama",
      model: "gemma4:e2b",
      baseUrl: "http://127.0.0.1:1234",
      yes: true,
      readOnly: true,
      json: true,
      maxSteps: 12,
      timeoutMs: 120_000,
      cwd: "sub",
      rules: "RULES.md",
      noRules: false,
      verbose: true,
    });
  });

  it("leaves the task undefined when none is given", () => {
    expect(parseCliArgs(["--yes"]).task).toBeUndefined();
    expect(parseCliArgs(["  "]).task).toBeUndefined();
  });

  it("takes words after -- as the task even when they look like flags", () => {
    expect(parseCliArgs(["--", "--explain", "-v"]).task).toBe("--explain -v");
  });

  it("rejects unknown options with their name", () => {
    expect(usageError(["--frobnicate", "task"]).message).toBe("Unknown option --frobnicate.");
  });

  it("rejects an option without its value", () => {
    expect(usageError(["task", "--model"]).message).toMatch(/--model.*needs a value/);
  });

  it("rejects bad numbers and durations", () => {
    expect(usageError(["--max-steps", "0", "t"]).message).toMatch(
      /--max-steps needs a whole number/,
    );
    expect(usageError(["--max-steps", "2.5", "t"]).message).toMatch(/--max-steps/);
    expect(usageError(["--timeout", "soon", "t"]).message).toMatch(
      /--timeout needs a positive duration/,
    );
  });

  it("rejects --rules with --no-rules", () => {
    expect(usageError(["--rules", "a.md", "--no-rules", "t"]).message).toMatch(
      /cannot be used together/,
    );
  });

  it("every option appears in the help text", () => {
    for (const name of OPTION_NAMES) expect(HELP_TEXT).toContain(`--${name}`);
  });
});

describe("parseDuration", () => {
  it("reads seconds by default and each unit", () => {
    expect(parseDuration("90")).toBe(90_000);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("10m")).toBe(600_000);
    expect(parseDuration("1h")).toBe(3_600_000);
  });

  it("rejects zero, negatives and words", () => {
    for (const text of ["0", "-5", "abc", "5x", ""]) expect(() => parseDuration(text)).toThrow();
  });
});
