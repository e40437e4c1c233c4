import type { SessionSummary } from "@gemma-coder/sessions";
import { describe, expect, it } from "vitest";
import { sessionItems } from "./session-items.js";

function summary(
  sessionId: string,
  updatedAt: number,
  extra: Partial<SessionSummary> = {},
): SessionSummary {
  return {
    sessionId,
    path: `/s/${sessionId}.jsonl`,
    createdAt: 0,
    updatedAt,
    status: "done",
    runs: 1,
    task: "fix it",
    ...extra,
  };
}

describe("sessionItems", () => {
  it("lists resumable sessions newest first, with the task on one line", () => {
    const items = sessionItems([
      summary("old", 1),
      summary("empty", 5, { status: "empty" }),
      summary("broken", 6, { status: "unreadable" }),
      summary("new", 3, { task: "fix\n  the   test", status: "aborted" }),
    ]);
    expect(items).toEqual([
      { id: "new", task: "fix the test", status: "aborted", updatedAt: 3 },
      { id: "old", task: "fix it", status: "done", updatedAt: 1 },
    ]);
  });
});
