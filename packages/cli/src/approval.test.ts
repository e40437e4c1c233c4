import { describe, expect, it } from "vitest";
import { createApprover, NO_TERMINAL_REASON } from "./approval.js";

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
      "Allow write_file src/a.py (1 line)? [y]es/[n]o/[a]lways ",
      "Allow run_shell $ pytest -q? [y]es/[n]o/[a]lways ",
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
});
