import { describe, expect, it } from "vitest";
import { type ApprovalMode, ApprovalQueue, type PendingApproval } from "./approvals.js";

function queue(mode: ApprovalMode = "ask") {
  const shown: PendingApproval[] = [];
  const hidden: number[] = [];
  const changes: (number | undefined)[] = [];
  const approvals = new ApprovalQueue({
    mode: () => mode,
    show: (pending) => shown.push(pending),
    hide: (pending) => hidden.push(pending.id),
    onChange: (pending) => changes.push(pending?.id),
  });
  return { approvals, shown, hidden, changes };
}

const edit = { tool: "edit_file", input: { path: "a.py", old: "1", new: "2" } };
const shell = { tool: "run_shell", input: { command: "rm -rf build" } };

describe("ApprovalQueue", () => {
  it("waits for an answer, shows the question, and allows on accept", async () => {
    const { approvals, shown, hidden, changes } = queue();
    const decision = approvals.approve(edit);
    await Promise.resolve();
    expect(shown.map((p) => p.request)).toEqual([edit]);
    expect(approvals.pending?.request).toEqual(edit);
    expect(approvals.answer("accept")).toBe(true);
    expect(await decision).toBe(true);
    expect(approvals.pending).toBeUndefined();
    expect(hidden).toEqual([1]);
    expect(changes).toEqual([1, undefined]);
  });

  it("denies on reject, with a reason for the model", async () => {
    const { approvals } = queue();
    const decision = approvals.approve(shell);
    await Promise.resolve();
    approvals.answer("reject");
    expect(await decision).toEqual({ allow: false, reason: "the user rejected it in VS Code" });
  });

  it("accept-all allows this call and every later one without asking, until a new session", async () => {
    const { approvals, shown } = queue();
    const first = approvals.approve(edit);
    await Promise.resolve();
    approvals.answer("accept-all");
    expect(await first).toBe(true);
    expect(await approvals.approve(shell)).toBe(true);
    expect(shown).toHaveLength(1);
    approvals.resetSession();
    const next = approvals.approve(shell);
    await Promise.resolve();
    expect(shown).toHaveLength(2);
    approvals.answer("reject");
    expect(await next).toMatchObject({ allow: false });
  });

  it("asks one question at a time", async () => {
    const { approvals, shown } = queue();
    const first = approvals.approve(edit);
    const second = approvals.approve(shell);
    await Promise.resolve();
    expect(shown.map((p) => p.request.tool)).toEqual(["edit_file"]);
    approvals.answer("accept");
    await first;
    await Promise.resolve();
    expect(shown.map((p) => p.request.tool)).toEqual(["edit_file", "run_shell"]);
    approvals.answer("reject");
    expect(await second).toMatchObject({ allow: false });
  });

  it("ignores a stale answer (an old notification's button) and answers with nothing pending", async () => {
    const { approvals } = queue();
    expect(approvals.answer("accept")).toBe(false);
    const decision = approvals.approve(edit);
    await Promise.resolve();
    expect(approvals.answer("accept", 99)).toBe(false);
    expect(approvals.pending).toBeDefined();
    expect(approvals.answer("reject", approvals.pending?.id)).toBe(true);
    expect(await decision).toMatchObject({ allow: false });
  });

  it("denies the pending question when the run stops", async () => {
    const { approvals, hidden } = queue();
    const decision = approvals.approve(edit);
    await Promise.resolve();
    approvals.cancel();
    expect(await decision).toEqual({ allow: false, reason: "the run was stopped" });
    expect(hidden).toEqual([1]);
  });

  it("under auto-edits allows file changes at once but still asks about commands", async () => {
    const { approvals, shown } = queue("auto-edits");
    expect(await approvals.approve(edit)).toBe(true);
    const decision = approvals.approve(shell);
    await Promise.resolve();
    expect(shown.map((p) => p.request.tool)).toEqual(["run_shell"]);
    approvals.answer("accept");
    expect(await decision).toBe(true);
  });
});
