import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createApprover, describeApproval, NO_TERMINAL_REASON } from "./approval.js";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});
function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "gemma-coder-approval-"));
  folders.push(root);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(root, name), text);
  return root;
}

const write = { tool: "write_file", input: { path: "src/a.py", content: "x\n" } };
const shell = { tool: "run_shell", input: { command: "pytest -q" } };

function asker(answers: Array<string | undefined>) {
  const questions: string[] = [];
  return {
    questions,
    ask: async (question: string) => {
      questions.push(question);
      return answers.shift();
    },
  };
}

describe("createApprover", () => {
  it("allows everything with --yes and asks nothing", async () => {
    const { ask, questions } = asker([]);
    const approve = createApprover({ mode: "allow-all", ask });
    expect(await approve(write)).toBe(true);
    expect(questions).toEqual([]);
  });

  it("refuses with the --yes hint when there is no one to ask", async () => {
    const refused: string[] = [];
    const approve = createApprover({
      mode: "refuse",
      onRefused: (request) => refused.push(request.tool),
    });
    expect(await approve(write)).toEqual({ allow: false, reason: NO_TERMINAL_REASON });
    expect(NO_TERMINAL_REASON).toMatch(/--yes/);
    expect(refused).toEqual(["write_file"]);
  });

  it("asks with a description of the call and reads y / n", async () => {
    const { ask, questions } = asker(["y", "no"]);
    const approve = createApprover({ mode: "ask", ask });
    expect(await approve(write)).toBe(true);
    expect(await approve(shell)).toEqual({ allow: false, reason: "the user said no" });
    expect(questions).toEqual([
      "Allow write_file src/a.py (1 line)?\n[y]es/[n]o/[a]lways ",
      "Allow run_shell?\n  $ pytest -q\n[y]es/[n]o/[a]lways ",
    ]);
  });

  it("remembers 'always' for that tool only", async () => {
    const { ask, questions } = asker(["a", "n"]);
    const approve = createApprover({ mode: "ask", ask });
    expect(await approve(write)).toBe(true);
    expect(await approve(write)).toBe(true);
    expect(await approve(shell)).toMatchObject({ allow: false });
    expect(questions).toHaveLength(2);
  });

  it("treats an empty answer, anything unknown and the end of input as no", async () => {
    const { ask } = asker(["", "maybe", undefined]);
    const approve = createApprover({ mode: "ask", ask });
    expect(await approve(write)).toMatchObject({ allow: false });
    expect(await approve(write)).toMatchObject({ allow: false });
    expect(await approve(write)).toMatchObject({
      allow: false,
      reason: expect.stringMatching(/input ended/),
    });
  });

  it("shows the whole command wrapped to the terminal, never cut", async () => {
    const command = `pytest ${"tests/test_x.py ".repeat(12)}--tb=short; echo PWNED > pwned.txt`;
    const question = await describeApproval(
      { tool: "run_shell", input: { command } },
      { terminalSize: () => ({ columns: 40 }) },
    );
    const lines = question.text.split("\n");
    expect(lines[0]).toBe("Allow run_shell?");
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(40);
    expect(
      lines
        .slice(1)
        .map((line) => line.slice(4))
        .join(""),
    ).toBe(command);
  });

  it("spells out escapes, carriage returns and bidi overrides, and marks extra lines", async () => {
    const question = await describeApproval(
      { tool: "run_shell", input: { command: "ls\u001b[8m\rrm -rf /\u2066x\ntouch y" } },
      {},
    );
    expect(question.text).toBe("Allow run_shell?\n  $ ls\\x1b[8m\\rrm -rf /\\u2066x\n  > touch y");
  });

  it("shows the diff of an edit, read from the workspace", async () => {
    const root = workspace({ "a.py": "one\ntwo\nthree\n" });
    const question = await describeApproval(
      { tool: "edit_file", input: { path: "a.py", old: "two", new: "2" } },
      { root },
    );
    expect(question.text).toBe("Allow edit_file a.py?\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three");
    expect(question.fullDiff).toBeUndefined();
  });

  it("cuts a long diff to the terminal and prints all of it on d", async () => {
    const root = workspace({});
    const content = Array.from({ length: 50 }, (_, i) => `l${i}`).join("\n");
    const { ask, questions } = asker(["d", "y"]);
    const approve = createApprover({
      mode: "ask",
      ask,
      root,
      terminalSize: () => ({ columns: 80, rows: 20 }),
    });
    expect(await approve({ tool: "write_file", input: { path: "n.txt", content } })).toBe(true);
    expect(questions).toHaveLength(2);
    expect(questions[0]?.split("\n").length).toBeLessThanOrEqual(20);
    expect(questions[0]).toContain("more lines: answer d to see the whole diff");
    expect(questions[0]).not.toContain("+l49");
    expect(questions[1]).toContain("+l0\n");
    expect(questions[1]).toContain("+l49");
    expect(questions[1]?.endsWith("[y]es/[n]o/[a]lways/[d]iff ")).toBe(true);
  });

  it("shows no diff for a path outside the workspace (the tool refuses it)", async () => {
    const root = workspace({});
    const question = await describeApproval(
      { tool: "write_file", input: { path: "../outside.txt", content: "x" } },
      { root },
    );
    expect(question.text).toBe("Allow write_file ../outside.txt (1 line)?");
  });
});
