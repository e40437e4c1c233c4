import { describe, expect, it } from "vitest";
import { parseReply } from "./parse-reply.js";

const toolNames = ["read_file", "write_file", "edit_file", "done"];
const parse = (text: string, finishReason?: Parameters<typeof parseReply>[1]["finishReason"]) =>
  parseReply(text, { toolNames, finishReason });

const expectCall = (
  text: string,
  name: string,
  args: Record<string, unknown>,
  finish?: "stop" | "stop-sequence" | "length",
) => {
  const result = parse(text, finish);
  expect(result).toMatchObject({ kind: "call", call: { name, args } });
  return result;
};

describe("parseReply", () => {
  it("parses the canonical call", () => {
    expectCall(
      '<tool>\n{"name": "read_file", "args": {"path": "src/main.py"}}\n</tool>',
      "read_file",
      {
        path: "src/main.py",
      },
    );
  });

  it("ignores text around the call", () => {
    expectCall(
      'I will read the file first.\n<tool>{"name": "read_file", "args": {"path": "a.py"}}</tool>\nThen fix it.',
      "read_file",
      { path: "a.py" },
    );
  });

  it("returns none for prose without a call", () => {
    expect(parse("The bug is in line 3; I think it's an off-by-one.")).toEqual({ kind: "none" });
  });

  it("accepts a call wrapped in a code fence inside the tags", () => {
    expectCall(
      '<tool>\n```json\n{"name": "read_file", "args": {"path": "a"}}\n```\n</tool>',
      "read_file",
      {
        path: "a",
      },
    );
  });

  it("accepts tags inside a code fence", () => {
    expectCall(
      '```\n<tool>\n{"name": "read_file", "args": {"path": "a"}}\n</tool>\n```',
      "read_file",
      {
        path: "a",
      },
    );
  });

  it("accepts a fenced bare call object with no tags", () => {
    expectCall('Here:\n```json\n{"name": "read_file", "args": {"path": "a"}}\n```', "read_file", {
      path: "a",
    });
  });

  it("does not run a fenced object that is not a call shape", () => {
    expect(parse('```json\n{"path": "a"}\n```')).toEqual({ kind: "none" });
  });

  it("accepts a missing close tag eaten by the stop sequence", () => {
    expectCall(
      '<tool>\n{"name": "read_file", "args": {"path": "a"}}\n',
      "read_file",
      { path: "a" },
      "stop-sequence",
    );
  });

  it("repairs trailing commas", () => {
    expectCall('<tool>{"name": "read_file", "args": {"path": "a",},}</tool>', "read_file", {
      path: "a",
    });
  });

  it("repairs single quotes", () => {
    expectCall("<tool>{'name': 'read_file', 'args': {'path': 'a.py'}}</tool>", "read_file", {
      path: "a.py",
    });
  });

  it("repairs Python literals", () => {
    expectCall(
      '<tool>{"name": "edit_file", "args": {"path": "a", "replace_all": True, "x": None, "y": False}}</tool>',
      "edit_file",
      { path: "a", replace_all: true, x: null, y: false },
    );
  });

  it("repairs raw newlines inside strings", () => {
    expectCall(
      '<tool>{"name": "write_file", "args": {"path": "a.py", "content": "line1\nline2\n"}}</tool>',
      "write_file",
      {
        path: "a.py",
        content: "line1\nline2\n",
      },
    );
  });

  it("repairs unquoted keys", () => {
    expectCall('<tool>{name: "read_file", args: {path: "a"}}</tool>', "read_file", { path: "a" });
  });

  it("refuses a missing final brace even when the close tag follows (never repaired into a call)", () => {
    const result = parse('<tool>{"name": "read_file", "args": {"path": "a"}</tool>');
    expect(result).toMatchObject({
      kind: "invalid",
      feedback: expect.stringMatching(/incomplete/),
    });
  });

  it("accepts <tool_call> and <function_call> tags", () => {
    expectCall('<tool_call>{"name": "read_file", "args": {"path": "a"}}</tool_call>', "read_file", {
      path: "a",
    });
    expectCall(
      '<function_call>{"name": "read_file", "args": {"path": "b"}}</function_call>',
      "read_file",
      {
        path: "b",
      },
    );
  });

  it("accepts arguments, parameters and input aliases", () => {
    expectCall('<tool>{"name": "read_file", "arguments": {"path": "a"}}</tool>', "read_file", {
      path: "a",
    });
    expectCall('<tool>{"name": "read_file", "parameters": {"path": "b"}}</tool>', "read_file", {
      path: "b",
    });
    expectCall('<tool>{"name": "read_file", "input": {"path": "c"}}</tool>', "read_file", {
      path: "c",
    });
  });

  it("accepts arguments given as a JSON string (OpenAI style)", () => {
    expectCall(
      '<tool_call>{"type": "function", "function": {"name": "read_file", "arguments": "{\\"path\\": \\"a\\"}"}}</tool_call>',
      "read_file",
      { path: "a" },
    );
  });

  it("accepts the tool name used as the only key", () => {
    expectCall('<tool>{"read_file": {"path": "a"}}</tool>', "read_file", { path: "a" });
  });

  it("treats a call without args as empty args", () => {
    expectCall('<tool>{"name": "done"}</tool>', "done", {});
  });

  it("parses Gemma 4's native call syntax", () => {
    expectCall('<|tool_call>call:read_file{path:<|"|>src/main.py<|"|>}<tool_call|>', "read_file", {
      path: "src/main.py",
    });
  });

  it("keeps quotes, braces and newlines inside Gemma native strings", () => {
    expectCall(
      '<|tool_call>call:write_file{path:<|"|>a.py<|"|>,content:<|"|>print("x {y}")\n<|"|>}<tool_call|>',
      "write_file",
      { path: "a.py", content: 'print("x {y}")\n' },
    );
  });

  it("never runs a call inside a thinking block", () => {
    const result = parse(
      '<think>maybe <tool>{"name": "write_file", "args": {"path": "a", "content": ""}}</tool></think>Let me think more.',
    );
    expect(result.kind).toBe("invalid");
    if (result.kind === "invalid") expect(result.feedback).toMatch(/thinking block/);
  });

  it("runs the call after a closed thinking block but not the one inside", () => {
    expectCall(
      '<think><tool>{"name": "write_file", "args": {"path": "x"}}</tool></think>\n<tool>{"name": "read_file", "args": {"path": "a"}}</tool>',
      "read_file",
      { path: "a" },
    );
  });

  it("never runs a call inside an unclosed thinking block", () => {
    expect(
      parse('<thinking>plan: <tool>{"name": "read_file", "args": {"path": "a"}}</tool>').kind,
    ).toBe("invalid");
  });

  it("ignores calls in Gemma 4's thinking channel", () => {
    expect(
      parse(
        '<|channel>thought\n<tool>{"name": "read_file", "args": {"path": "a"}}</tool><channel|>Done thinking.',
      ).kind,
    ).toBe("invalid");
  });

  it("reports running out of tokens while thinking", () => {
    const result = parse("<think>hmm, first I should", "length");
    expect(result.kind).toBe("invalid");
  });

  it("takes the first of several calls and says so", () => {
    const result = expectCall(
      '<tool>{"name": "read_file", "args": {"path": "a"}}</tool>\n<tool>{"name": "read_file", "args": {"path": "b"}}</tool>',
      "read_file",
      { path: "a" },
    );
    expect(result.kind === "call" && result.warning).toMatch(/2 calls; only the first/);
  });

  it("refuses an incomplete call cut off by the token limit", () => {
    const result = parse(
      '<tool>{"name": "write_file", "args": {"path": "a.py", "content": "def f():\n    return',
      "length",
    );
    expect(result.kind).toBe("invalid");
    if (result.kind === "invalid") expect(result.feedback).toMatch(/token limit/);
  });

  it("refuses an unclosed object cut off by the token limit even without an open string", () => {
    expect(parse('<tool>{"name": "write_file", "args": {"path": "a.py"', "length").kind).toBe(
      "invalid",
    );
  });

  it("accepts a complete call even when the finish reason is length", () => {
    expectCall(
      '<tool>{"name": "read_file", "args": {"path": "a"}}',
      "read_file",
      { path: "a" },
      "length",
    );
  });

  it("refuses a call that ends inside a string whatever the finish reason", () => {
    // The close tag appears inside the content: the call was cut short, never repair it.
    const result = parse('<tool>{"name": "write_file", "args": {"path": "a", "content": "x</tool>');
    expect(result.kind).toBe("invalid");
  });

  it("refuses an unknown tool and lists the available ones", () => {
    const result = parse('<tool>{"name": "delete_everything", "args": {}}</tool>');
    expect(result).toMatchObject({ kind: "invalid" });
    if (result.kind === "invalid") {
      expect(result.feedback).toContain('Unknown tool "delete_everything"');
      expect(result.feedback).toContain("read_file, write_file, edit_file, done");
    }
  });

  it("refuses a call without a name", () => {
    const result = parse('<tool>{"args": {"path": "a"}}</tool>');
    expect(result.kind === "invalid" && result.feedback).toMatch(/no "name"/);
  });

  it("refuses args that are not an object", () => {
    const result = parse('<tool>{"name": "read_file", "args": ["a"]}</tool>');
    expect(result.kind === "invalid" && result.feedback).toMatch(/must be a JSON object/);
  });

  it("refuses an empty call and shows the expected shape", () => {
    const result = parse("<tool>\n</tool>");
    expect(result.kind).toBe("invalid");
    if (result.kind === "invalid")
      expect(result.feedback).toContain('<tool>\n{"name": "TOOL_NAME", "args": {...}}\n</tool>');
  });

  it("refuses garbage inside the tags", () => {
    expect(parse("<tool>read the file please</tool>").kind).toBe("invalid");
  });

  it("keeps prose after the JSON value out of the call", () => {
    expectCall(
      '<tool>{"name": "read_file", "args": {"path": "a"}} I hope this works</tool>',
      "read_file",
      { path: "a" },
    );
  });

  it("accepts a whole reply that is a bare call object", () => {
    expectCall('{"name": "read_file", "args": {"path": "a"}}', "read_file", { path: "a" });
  });

  it("reads tags inside the strings of a bare JSON call as data", () => {
    expectCall(
      '{"name": "write_file", "args": {"path": "a.md", "content": "<think>x</think> and <tool> tags"}}',
      "write_file",
      {
        path: "a.md",
        content: "<think>x</think> and <tool> tags",
      },
    );
  });

  it("keeps feedback short", () => {
    const result = parse('<tool>{"name": "nope"}</tool>');
    expect(result.kind === "invalid" && result.feedback.length).toBeLessThan(300);
  });

  describe("a call cut off mid-stream never runs, whatever the finish reason", () => {
    const cutEdit =
      '<tool>\n{"name": "edit_file", "args": {"path": "a.py", "edits": [{"old": "a", "new": "b"}, {"old": "c", "new": "d"}';
    const finishes = [undefined, "stop", "stop-sequence", "length"] as const;

    it.each(finishes)("an unclosed tagged call (finish %s) is invalid", (finish) => {
      expect(parse(cutEdit, finish).kind).toBe("invalid");
      expect(parse('<tool>{"name": "write_file", "args": {"path": "a"', finish).kind).toBe(
        "invalid",
      );
    });

    it.each(finishes)("an unclosed bare JSON call (finish %s) is invalid", (finish) => {
      expect(
        parse('{"name": "write_file", "args": {"path": "a", "content": "x"}', finish).kind,
      ).toBe("invalid");
    });

    it.each(finishes)("an unclosed fenced call (finish %s) is not run", (finish) => {
      expect(parse('```json\n{"name": "write_file", "args": {"path": "a"', finish).kind).not.toBe(
        "call",
      );
    });

    it.each(finishes)("an unclosed Gemma native call (finish %s) is invalid", (finish) => {
      expect(
        parse('<|tool_call>call:write_file{path:<|"|>a.py<|"|>,content:<|"|>x', finish).kind,
      ).toBe("invalid");
      expect(parse('<|tool_call>call:write_file{path:<|"|>a.py<|"|>', finish).kind).toBe("invalid");
    });

    it("an args string that is cut is not repaired into a call", () => {
      expect(
        parse(
          '<tool>{"name": "write_file", "args": "{\\"path\\": \\"a\\", \\"content\\": \\"x"}</tool>',
        ).kind,
      ).toBe("invalid");
    });

    it("a complete call stopped by the stop sequence still runs", () => {
      expectCall(
        '<tool>\n{"name": "read_file", "args": {"path": "a"}}\n',
        "read_file",
        { path: "a" },
        "stop",
      );
    });
  });

  describe("a fenced example inside prose is not a call", () => {
    const example = '```json\n{"name": "write_file", "args": {"path": "a", "content": "x"}}\n```';

    it("prose after the fence makes it an example", () => {
      const result = parse(`You could call it like this: ${example} and then check the output.`);
      expect(result.kind).not.toBe("call");
    });

    it("a fence inside the content of a bare call is data, not a second call", () => {
      const content = `Example:\n${example}\nmore text`;
      expectCall(
        JSON.stringify({ name: "write_file", args: { path: "README.md", content } }),
        "write_file",
        {
          path: "README.md",
          content,
        },
      );
    });

    it("a fence that ends the reply is still a call (prose before is allowed)", () => {
      expectCall(`I will write the file.\n${example}\n`, "write_file", { path: "a", content: "x" });
    });
  });
});
