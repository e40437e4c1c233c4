import { describe, expect, it } from "vitest";
import { MAX_TASK_CHARS, parseViewMessage } from "./protocol.js";

describe("parseViewMessage", () => {
  it("accepts the messages the view sends", () => {
    expect(parseViewMessage({ type: "ready" })).toEqual({ type: "ready" });
    expect(parseViewMessage({ type: "stop", extra: 1 })).toEqual({ type: "stop" });
    expect(parseViewMessage({ type: "send", task: "fix the bug" })).toEqual({
      type: "send",
      task: "fix the bug",
    });
    expect(parseViewMessage({ type: "open-file", path: "src/a.ts", line: 12 })).toEqual({
      type: "open-file",
      path: "src/a.ts",
      line: 12,
    });
    expect(parseViewMessage({ type: "open-file", path: "src/a.ts" })).toEqual({
      type: "open-file",
      path: "src/a.ts",
      line: undefined,
    });
    expect(
      parseViewMessage({ type: "resume", sessionId: "20250102-030405-a1b2c3", message: " " }),
    ).toEqual({
      type: "resume",
      sessionId: "20250102-030405-a1b2c3",
      message: undefined,
    });
    expect(parseViewMessage({ type: "resume", sessionId: "s1", message: "go on" })).toMatchObject({
      message: "go on",
    });
  });

  it("refuses what the host does not understand or should not trust", () => {
    for (const bad of [
      null,
      "send",
      [],
      { type: "eval", code: "x" },
      { type: "send", task: "   " },
      { type: "send", task: 42 },
      { type: "send", task: "x".repeat(MAX_TASK_CHARS + 1) },
      { type: "open-file", path: "" },
      { type: "open-file", path: "a", line: 0 },
      { type: "open-file", path: "a", line: 1.5 },
      { type: "resume", sessionId: "../../etc/passwd" },
      { type: "resume", sessionId: "s1", message: 3 },
    ]) {
      expect(parseViewMessage(bad)).toBeUndefined();
    }
  });
});
