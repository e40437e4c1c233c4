import { describe, expect, it } from "vitest";
import { ProseFilter } from "./prose-filter.js";

function run(chunks: string[]): string {
  const filter = new ProseFilter();
  let out = "";
  for (const chunk of chunks) out += filter.push(chunk);
  return out + filter.end();
}

function everySplit(text: string): string[] {
  const outputs = new Set<string>();
  for (let i = 0; i <= text.length; i++) outputs.add(run([text.slice(0, i), text.slice(i)]));
  outputs.add(run([...text]));
  return [...outputs];
}

const CALL = '<tool>\n{"name": "read_file", "args": {"path": "a.py"}}\n</tool>';

describe("ProseFilter", () => {
  it("shows the prose and hides the call", () => {
    expect(run([`Let me read it.\n${CALL}`])).toBe("Let me read it.");
  });

  it("gives the same output however the reply is chunked", () => {
    for (const text of [
      `Let me read it.\n${CALL}`,
      `I will look.\n\n\`\`\`json\n${CALL}\n\`\`\``,
      `Inline <tool>{"name": "done", "args": {}}`,
      "Just prose, no call at all.\nSecond line.",
      `Gemma style <|tool_call>call:read_file{path:<|"|>a.py<|"|>}<tool_call|>`,
      "a < b and x <= y\nstill prose",
    ]) {
      expect(everySplit(text)).toHaveLength(1);
    }
  });

  it("drops a code fence that wraps the call", () => {
    expect(run([`I see.\n\`\`\`json\n${CALL}\n\`\`\``])).toBe("I see.");
  });

  it("keeps prose that merely contains a less-than sign", () => {
    expect(run(["a < b and x <= y\nstill prose"])).toBe("a < b and x <= y\nstill prose");
  });

  it("keeps a fence that is not followed by a call", () => {
    expect(run(["Example:\n```\ncode\n```\nDone."])).toBe("Example:\n```\ncode\n```\nDone.");
  });

  it("hides a call that starts mid-line, in any spelling", () => {
    expect(run(['Reading. <tool_call>{"name": "x"}'])).toBe("Reading.");
    expect(run(["Reading. <|tool_call>call:x{}"])).toBe("Reading.");
  });

  it("releases prose before the reply ends (streaming)", () => {
    const filter = new ProseFilter();
    expect(filter.push("First line.\nSecond ")).toBe("First line.\nSecond");
    expect(filter.push("half and <to")).toBe(" half and");
    expect(filter.push("ol>{}")).toBe("");
    expect(filter.end()).toBe("");
  });

  it("starts each reply afresh and drops leading blank lines", () => {
    const filter = new ProseFilter();
    filter.push(`A.\n${CALL}`);
    filter.end();
    expect(filter.push("\n\nB.\n") + filter.end()).toBe("B.");
  });
});
