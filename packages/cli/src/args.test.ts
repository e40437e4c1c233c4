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

  it("reads --constrained grammar|json|off|auto and refuses anything else", () => {
    expect(parseCliArgs(["--constrained", "grammar", "t"]).constrained).toBe("grammar");
    expect(parseCliArgs(["--constrained=JSON", "t"]).constrained).toBe("json");
    expect(parseCliArgs(["--constrained", "off", "t"]).constrained).toBe("off");
    expect(parseCliArgs(["t"]).constrained).toBeUndefined();
    expect(usageError(["--constrained", "yes", "t"]).message).toBe(
      '--constrained takes auto, grammar, json, off; got "yes".',
    );
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

  it("rejects a duration longer than a timer can hold (it would fire at once)", () => {
    expect(usageError(["--timeout", "597h", "t"]).message).toMatch(
      /--timeout 597h is longer than the longest supported \(24 days\)/,
    );
    expect(parseCliArgs(["--timeout", "576h", "t"]).timeoutMs).toBe(576 * 3_600_000);
  });

  it("says a negative number is not allowed, rather than that the value is missing", () => {
    expect(usageError(["--max-steps", "-3", "t"]).message).toBe(
      '--max-steps needs a whole number of 1 or more; got "-3".',
    );
    expect(usageError(["--timeout", "-5s", "t"]).message).toMatch(
      /^--timeout needs a positive duration .*got "-5s"/,
    );
    // The words after -- are the task, even when they look like negative numbers.
    expect(parseCliArgs(["--", "--max-steps", "-3"]).task).toBe("--max-steps -3");
  });

  it("keeps --yes apart from --download", () => {
    expect(parseCliArgs(["--yes", "t"])).toMatchObject({ yes: true, download: false });
    expect(parseCliArgs(["--download", "t"])).toMatchObject({ yes: false, download: true });
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

describe("parseCliArgs: sessions and subcommands", () => {
  it("reads --resume with an id, and without one as the latest session", () => {
    expect(parseCliArgs(["--resume", "2025", "more", "work"])).toMatchObject({
      command: "run",
      resume: { id: "2025" },
      task: "more work",
    });
    expect(parseCliArgs(["--resume"]).resume).toEqual({ id: undefined });
    expect(parseCliArgs(["--resume", "--yes", "go on"])).toMatchObject({
      resume: { id: undefined },
      yes: true,
      task: "go on",
    });
    expect(parseCliArgs(["--resume=abc"]).resume).toEqual({ id: "abc" });
    expect(parseCliArgs(["--continue", "also this"])).toMatchObject({
      resume: { id: undefined },
      task: "also this",
    });
    expect(parseCliArgs(["--rules", "R.md", "--resume"])).toMatchObject({
      rules: "R.md",
      resume: { id: undefined },
    });
    // After --, it is task text.
    expect(parseCliArgs(["--", "--resume"])).toMatchObject({ task: "--resume", resume: undefined });
  });

  it("reads --no-session, --sessions-dir and the defaults", () => {
    expect(parseCliArgs(["t"])).toMatchObject({
      session: true,
      sessionsDir: undefined,
      resume: undefined,
      force: false,
    });
    expect(parseCliArgs(["--no-session", "--sessions-dir", "x", "t"])).toMatchObject({
      session: false,
      sessionsDir: "x",
    });
  });

  it("recognises a subcommand only as the first word before --", () => {
    expect(parseCliArgs(["undo"])).toMatchObject({ command: "undo", target: undefined });
    expect(parseCliArgs(["undo", "3f2a", "--force"])).toMatchObject({
      command: "undo",
      target: "3f2a",
      force: true,
    });
    expect(parseCliArgs(["--json", "demo", "/tmp/d"])).toMatchObject({
      command: "demo",
      target: "/tmp/d",
      json: true,
    });
    expect(parseCliArgs(["sessions"]).command).toBe("sessions");
    expect(parseCliArgs(["--", "undo"])).toMatchObject({ command: "run", task: "undo" });
    expect(parseCliArgs(["undo the rename"])).toMatchObject({
      command: "run",
      task: "undo the rename",
    });
    expect(parseCliArgs(["fix", "undo"])).toMatchObject({ command: "run", task: "fix undo" });
    expect(parseCliArgs(["-m", "demo", "task"])).toMatchObject({ command: "run", model: "demo" });
  });

  it("rejects options that do not fit the command", () => {
    expect(usageError(["undo", "--provider", "ollama"]).message).toBe(
      "--provider does not apply to `gemma-coder undo`. Usage: gemma-coder undo [run-id] [--force].",
    );
    expect(usageError(["demo", "--resume"]).message).toMatch(/--resume does not apply/);
    expect(usageError(["--force", "t"]).message).toMatch(/--force goes with `gemma-coder undo`/);
    expect(usageError(["undo", "a", "b"]).message).toMatch(
      /takes at most one argument; got "a b".*goes in quotes/,
    );
    expect(usageError(["sessions", "x"]).message).toMatch(/takes no arguments/);
    expect(usageError(["--resume", "x", "--continue"]).message).toMatch(/cannot be used together/);
    expect(usageError(["--continue", "--no-session"]).message).toMatch(
      /--continue continues a recorded session, so it cannot be used with --no-session/,
    );
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
