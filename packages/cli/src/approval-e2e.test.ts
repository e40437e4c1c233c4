// The approval prompt through the real bin: it must show exactly what will run (the whole
// command, control characters made visible) and what a file change does (a diff).
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hasPython, missingBuilds, ollama, useCliHarness } from "./__fixtures__/cli-harness.js";
import { call } from "./__fixtures__/model-server.mjs";

const cli = useCliHarness();
const { run, server, read } = cli;

/** Runs the bin on a real terminal (python3's pty module); `input` is typed into it. */
const onTerminal = (env: Record<string, string> = {}) => ({
  env: { TERM: "xterm", ...env },
  command: [
    "python3",
    "-c",
    "import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))",
    process.execPath,
  ],
});

/** The terminal output with the prompt's wrapping undone (a wrapped line goes on indented). */
const unwrapped = (text: string) => text.replace(/\r?\n {4}/g, "");

describe.skipIf(missingBuilds.length > 0)("the approval prompt (the real bin)", () => {
  it.skipIf(!hasPython)(
    "shows a long command whole on a terminal, and no runs nothing",
    async () => {
      const command =
        "pytest tests/test_api.py tests/test_models.py tests/test_views.py -q -x --maxfail=1 --disable-warnings -p no:cacheprovider --tb=short; echo PWNED > pwned.txt";
      const model = await server({
        replies: [call("run_shell", { command }), call("done", { summary: "stopped" })],
      });
      const result = await run([...ollama(model.url), "run the tests"], {
        ...onTerminal(),
        input: "n\n",
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("Allow run_shell?");
      expect(unwrapped(result.stdout)).toContain(`$ ${command}`);
      expect(existsSync(path.join(cli.repo, "pwned.txt"))).toBe(false);
    },
  );

  it("makes control characters, escapes and bidi overrides visible", async () => {
    const command = "echo safe\u001b[2K\rrm -rf ~ #\u202e txt.exe";
    const model = await server({
      replies: [call("run_shell", { command }), call("done", { summary: "stopped" })],
    });
    const result = await run([...ollama(model.url), "x"], {
      env: { GEMMA_CODER_FORCE_PROMPT: "1" },
      input: "n\n",
    });
    const prompt = result.stderr.slice(result.stderr.indexOf("Allow run_shell?"));
    expect(prompt).toContain("echo safe\\x1b[2K\\rrm -rf ~ #\\u202e txt.exe");
    expect(prompt).not.toContain("\u001b");
    expect(prompt).not.toContain("\u202e");
  });

  it.skipIf(!hasPython)("shows a coloured diff of an edit on a terminal", async () => {
    const model = await server({
      replies: [
        call("edit_file", { path: "calc.py", old: "a - b", new: "a + b" }),
        call("done", { summary: "fixed" }),
      ],
    });
    const result = await run([...ollama(model.url), "fix add"], {
      ...onTerminal({ NO_COLOR: "" }),
      input: "y\n",
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Allow edit_file calc.py?");
    expect(result.stdout).toMatch(/\x1b\[31m- {4}return a - b\x1b\[39m/);
    expect(result.stdout).toMatch(/\x1b\[32m\+ {4}return a \+ b\x1b\[39m/);
    expect(read("calc.py")).toContain("a + b");
  });

  it("shows a long diff in part, and all of it when asked with d", async () => {
    const content = Array.from({ length: 120 }, (_, i) => `line ${i + 1}`).join("\n");
    writeFileSync(path.join(cli.repo, "big.txt"), "old\n");
    const model = await server({
      replies: [
        call("write_file", { path: "big.txt", content }),
        call("done", { summary: "written" }),
      ],
    });
    const result = await run([...ollama(model.url), "write"], {
      env: { GEMMA_CODER_FORCE_PROMPT: "1" },
      input: "d\ny\n",
    });
    expect(result.code).toBe(0);
    const [first, rest] = result.stderr.split("more lines");
    expect(first).toContain("+line 1\n");
    expect(first).not.toContain("+line 120");
    expect(rest).toContain("+line 120");
    expect(rest).toContain("-old");
    expect(read("big.txt")).toBe(content);
  });
});
