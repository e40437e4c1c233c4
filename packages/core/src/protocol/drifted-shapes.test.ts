import { describe, expect, it } from "vitest";
import type { FinishReason } from "../provider/provider.js";
import { parseReply } from "./parse-reply.js";

const toolNames = ["read_file", "write_file", "bash", "done"];
const parse = (text: string, finishReason: FinishReason = "stop") =>
  parseReply(text, { toolNames, finishReason });
const Q = '<|"|>';

describe("Gemma 4 native drifts", () => {
  it("reads a stray colon after the start token", () => {
    expect(parse(`<|tool_call>:call:read_file{path:${Q}a.py${Q}}<tool_call|>`)).toMatchObject({
      kind: "call",
      call: { name: "read_file", args: { path: "a.py" } },
    });
  });

  it("reads key=value with the native delimiter and numbers", () => {
    expect(
      parse(`<|tool_call>call:read_file{path=${Q}a.py${Q}, start_line=3}<tool_call|>`),
    ).toMatchObject({ kind: "call", call: { args: { path: "a.py", start_line: 3 } } });
  });

  it("never guesses where an unclosed string of code ends", () => {
    // Closing the string at the last brace would drop a brace from the file.
    const result = parse(
      `<|tool_call>call:write_file{path:${Q}a.js${Q},content:${Q}if (x) { go(); }}<tool_call|>`,
    );
    expect(result.kind).toBe("invalid");
  });

  it("refuses an unclosed string when no close token shows the call ended", () => {
    expect(parse(`<|tool_call>call:read_file{path:${Q}a.py}`).kind).toBe("invalid");
  });

  it("refuses a call cut inside its arguments whatever the finish reason", () => {
    for (const finish of ["stop", "length", "stop-sequence"] as const) {
      expect(
        parse(`<|tool_call>call:write_file{path:${Q}a.py${Q},content:[1, 2`, finish).kind,
      ).toBe("invalid");
    }
  });

  it("never reads a bare call from a reply cut by the token limit", () => {
    const result = parse(`<|channel>thought\nok<channel|>call:bash{command:${Q}ls${Q}}`, "length");
    expect(result.kind === "invalid" && result.feedback).toMatch(/token limit/);
  });

  it("reads a bare call only right after the thinking channel, not after prose", () => {
    expect(parse(`I will now run call:bash{command:${Q}ls${Q}}`).kind).toBe("none");
    expect(parse(`<|channel>thought\nx<channel|>Sure.\ncall:bash{command:${Q}ls${Q}}`).kind).toBe(
      "none",
    );
  });

  it("refuses a bare call followed by prose", () => {
    expect(parse(`call:bash{command:${Q}ls${Q}} and then I will read the output`).kind).toBe(
      "none",
    );
  });

  it("reads a call at the end of an unclosed Gemma channel but not a <tool> in an unclosed <think>", () => {
    expect(
      parse(`<|channel>thought\nRead it.<|tool_call>call:read_file{path:${Q}a${Q}}<tool_call|>`),
    ).toMatchObject({ kind: "call", call: { name: "read_file" } });
    expect(
      parse('<think>Read it.<tool>{"name": "read_file", "args": {"path": "a"}}</tool>').kind,
    ).toBe("invalid");
  });

  it("never reads two calls left in an unclosed channel", () => {
    const call = `<|tool_call>call:read_file{path:${Q}a${Q}}<tool_call|>`;
    expect(parse(`<|channel>thought\n${call}${call}`).kind).toBe("invalid");
  });

  it("never reads an unclosed-channel call cut by the token limit", () => {
    expect(
      parse(`<|channel>thought\nok<|tool_call>call:read_file{path:${Q}a${Q}}<tool_call|>`, "length")
        .kind,
    ).toBe("invalid");
  });

  it("names the real tools for an unregistered name in a fallback shape", () => {
    const result = parse(`call:rm{path:${Q}/${Q}}`);
    expect(result.kind === "invalid" && result.feedback).toContain("read_file, write_file, bash");
  });

  it("takes the first of two native calls and says so", () => {
    const call = (p: string) => `<|tool_call>call:read_file{path:${Q}${p}${Q}}<tool_call|>`;
    const result = parse(call("a") + call("b"));
    expect(result).toMatchObject({ kind: "call", call: { args: { path: "a" } } });
    expect(result.kind === "call" && result.warning).toMatch(/only the first/);
  });
});

describe("Python-style calls", () => {
  it("reads tool_code = name(...) and print(name(...))", () => {
    for (const text of [
      "tool_code = read_file(path='a.py')",
      'print(read_file(path="a.py"))',
      "```tool_code\ntool_code = read_file(path='a.py')\n```",
    ]) {
      expect(parse(text), text).toMatchObject({
        kind: "call",
        call: { name: "read_file", args: { path: "a.py" } },
      });
    }
  });

  it("reads single-quoted strings, lists, dicts, escapes and Python literals", () => {
    expect(
      parse(
        "[write_file(path='a.py', content='x = 1\\nprint(\\'hi\\')\\n', tags=['a', \"b\"], meta={'ok': True, 'n': None})]",
      ),
    ).toMatchObject({
      kind: "call",
      call: {
        args: {
          path: "a.py",
          content: "x = 1\nprint('hi')\n",
          tags: ["a", "b"],
          meta: { ok: true, n: null },
        },
      },
    });
  });

  it("reads a triple-quoted string", () => {
    expect(
      parse('```tool_code\nwrite_file(path="a.py", content="""def f():\n    return 1\n""")\n```'),
    ).toMatchObject({ call: { args: { content: "def f():\n    return 1\n" } } });
  });

  it("refuses an unclosed tool_code call cut by the token limit", () => {
    const result = parse("```tool_code\nwrite_file(path='a.py', content='def f", "length");
    expect(result.kind === "invalid" && result.feedback).toMatch(/token limit/);
  });

  it("refuses a tool_code call to an unregistered tool and names the real ones", () => {
    const result = parse("```tool_code\nos.remove(path='a')\n```");
    expect(result.kind === "invalid" && result.feedback).toContain("Available tools");
  });

  it("leaves prose and markdown links alone", () => {
    expect(parse("[see the docs(link)] for details").kind).toBe("none");
    expect(parse("Call read_file(path='a.py') to see it.").kind).toBe("none");
  });

  it("ignores a tool_code block inside a thinking block", () => {
    expect(parse("<think>```tool_code\nbash(command='rm -rf /')\n```</think>Done.").kind).toBe(
      "none",
    );
  });
});

describe("JSON shapes and tags", () => {
  it("reads arguments flattened next to the name, tagged or bare", () => {
    for (const text of [
      '<tool>{"name": "read_file", "path": "a.py"}</tool>',
      '{"name": "read_file", "path": "a.py"}',
    ]) {
      expect(parse(text), text).toMatchObject({
        call: { name: "read_file", args: { path: "a.py" } },
      });
    }
  });

  it("keeps a bare object whose name is not a tool as prose", () => {
    expect(parse('{"name": "Alice", "age": 3}').kind).toBe("none");
  });

  it("reads tag case and spacing variants", () => {
    for (const text of [
      '<TOOL>{"name": "read_file", "args": {"path": "a"}}</TOOL>',
      '< tool >{"name": "read_file", "args": {"path": "a"}}< /tool >',
      '<Tool_Call>{"name": "read_file", "arguments": {"path": "a"}}</Tool_Call>',
    ]) {
      expect(parse(text), text).toMatchObject({ call: { name: "read_file", args: { path: "a" } } });
    }
  });

  it("keeps tag variants inside a call's strings as written", () => {
    expect(
      parse(
        '<TOOL>{"name": "write_file", "args": {"path": "a.md", "content": "<THINK> and <TOOL>"}}</TOOL>',
      ),
    ).toMatchObject({ call: { args: { content: "<THINK> and <TOOL>" } } });
  });

  it("never runs a call inside a thinking block spelled in capitals", () => {
    expect(
      parse('<THINK><tool>{"name": "write_file", "args": {"path": "x"}}</tool></THINK>').kind,
    ).toBe("invalid");
  });

  it("lets the JSON decide where a call ends when a string holds the close tag", () => {
    expect(
      parse(
        '<tool>{"name": "write_file", "args": {"path": "docs/protocol.md", "content": "Close with </tool>."}}</tool>\nDone.',
      ),
    ).toMatchObject({ call: { args: { content: "Close with </tool>." } } });
  });
});

describe("hostile input", () => {
  it("refuses absurd nesting with feedback instead of overflowing the stack", () => {
    const deep = "[".repeat(100_000);
    expect(parse(`<|tool_call>call:bash{command:${deep}}<tool_call|>`).kind).toBe("invalid");
    expect(parse(`\`\`\`tool_code\nbash(command=${deep})\n\`\`\``).kind).toBe("invalid");
  });
});
