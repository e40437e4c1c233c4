// End-to-end tests: the real `gemma-coder` bin, spawned as a user would run it, against a
// loopback scripted Ollama server, in a temporary git repository. They need the built
// packages (`pnpm build` at the root, which `pnpm test` runs first).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  hasPython,
  missingBuilds,
  ollama,
  packageDir,
  processesMatching,
  until,
  useCliHarness,
} from "./__fixtures__/cli-harness.js";
import { call, deadPort } from "./__fixtures__/model-server.mjs";

if (missingBuilds.length > 0) {
  console.warn(
    `Skipping the CLI end-to-end tests: packages ${missingBuilds.join(", ")} are not built (run \`pnpm build\` first).`,
  );
}

const cli = useCliHarness();
const { run, start, server, read } = cli;
const fixScript = () => [
  `Let me read it.\n${call("read_file", { path: "calc.py" })}`,
  call("edit_file", { path: "calc.py", old: "a - b", new: "a + b" }),
  call("done", { summary: "add() now adds." }),
];

describe.skipIf(missingBuilds.length > 0)("gemma-coder (the real bin)", () => {
  it("edits a file and finishes with done: exit 0, a summary and the change on disk", async () => {
    const model = await server({ replies: fixScript() });
    const result = await run([...ollama(model.url), "--yes", "fix add in calc.py"]);
    expect(result.stderr).toContain(
      `gemma-coder · ollama gemma4:e4b at ${model.url} (from --provider) · ${cli.repo}`,
    );
    expect(result.code).toBe(0);
    expect(read("calc.py")).toBe("def add(a, b):\n    return a + b\n");
    expect(result.stdout).toContain(
      "Let me read it.\n→ read_file calc.py\n  ✓ 2 lines\n→ edit_file calc.py\n",
    );
    expect(result.stdout).toMatch(
      /✓ done · 3 steps · .*\n {2}add\(\) now adds\.\n {2}changed: calc\.py\n$/,
    );
    expect(result.stdout + result.stderr).not.toMatch(/\x1b\[/);
    const chats = model.requests.filter((request) => request.path === "/api/chat");
    expect(chats).toHaveLength(3);
    expect(chats[0]?.body).toMatchObject({
      model: "gemma4:e4b",
      stream: true,
      options: { stop: ["</tool>"], num_ctx: 16384 },
    });
  });

  it("--constrained json makes the backend enforce a call schema, and says so", async () => {
    const model = await server({ replies: ['{"name": "done", "args": {"summary": "ok"}}'] });
    const result = await run([...ollama(model.url), "--constrained", "json", "finish"]);
    expect(result.stderr).toContain("constrained decoding: a JSON schema of the tool calls");
    const chats = model.requests.filter((request) => request.path === "/api/chat");
    const sent = (chats[0]?.body ?? {}) as { format?: unknown };
    expect(sent.format).toMatchObject({ anyOf: expect.any(Array) });
    // Off by default on a backend that is not llama.cpp or the in-process engine.
    const plain = await run([...ollama(model.url), "finish"]);
    expect(plain.stderr).not.toContain("constrained decoding");
    const last = model.requests.filter((request) => request.path === "/api/chat").at(-1);
    expect(((last?.body ?? {}) as { format?: unknown }).format).toBeUndefined();
  });

  it("asks before a change through stdin and respects no", async () => {
    const model = await server({
      replies: [
        call("edit_file", { path: "calc.py", old: "a - b", new: "a + b" }),
        call("done", { summary: "stopped" }),
      ],
    });
    const result = await run([...ollama(model.url), "fix add"], {
      env: { GEMMA_CODER_FORCE_PROMPT: "1" },
      input: "n\n",
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      "Allow edit_file calc.py?\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a - b\n+    return a + b\n[y]es/[n]o/[a]lways ",
    );
    expect(result.stdout).toContain("✗ edit_file was denied by the user: the user said no");
    expect(read("calc.py")).toContain("a - b");
  });

  it("remembers 'always' for the rest of the run", async () => {
    const model = await server({
      replies: [
        call("write_file", { path: "a.txt", content: "a\n" }),
        call("write_file", { path: "b.txt", content: "b\n" }),
        call("done", { summary: "two files" }),
      ],
    });
    const result = await run([...ollama(model.url), "write two files"], {
      env: { GEMMA_CODER_FORCE_PROMPT: "1" },
      input: "a\n",
    });
    expect(result.code).toBe(0);
    expect(result.stderr.match(/Allow write_file/g)).toHaveLength(1);
    expect(read("a.txt") + read("b.txt")).toBe("a\nb\n");
    expect(result.stdout).toContain("changed: a.txt (new), b.txt (new)");
  });

  it.skipIf(!hasPython)("shows the live view and asks on a real terminal", async () => {
    const model = await server({ replies: fixScript() });
    // python3's pty module gives the CLI a real terminal; our stdin is copied to it.
    const result = await run([...ollama(model.url), "fix add"], {
      input: "y\n",
      env: { TERM: "xterm" },
      command: [
        "python3",
        "-c",
        "import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))",
        process.execPath,
      ],
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Allow edit_file calc.py?");
    expect(result.stdout).toContain("[y]es/[n]o/[a]lways");
    expect(result.stdout).toContain("\r\x1b[2K");
    expect(result.stdout).toMatch(/waiting for the model/);
    expect(read("calc.py")).toContain("a + b");
  });

  it("without a terminal and without --yes, refuses changes with a clear message instead of waiting", async () => {
    const model = await server({
      replies: [
        call("write_file", { path: "new.txt", content: "x\n" }),
        call("done", { summary: "could not write" }),
      ],
    });
    const result = await run([...ollama(model.url), "write a file"]);
    expect(result.code).toBe(0);
    expect(existsSync(path.join(cli.repo, "new.txt"))).toBe(false);
    expect(result.stderr).toContain("No terminal to ask for approval");
    expect(result.stdout).toContain(
      "not approved: run with --yes to allow changes without a terminal",
    );
    expect(result.stdout).toContain("1 change was refused");
    const second = model.requests.filter((request) => request.path === "/api/chat")[1];
    expect(JSON.stringify(second?.body)).toContain("run with --yes");
  });

  it("--json prints one SDK event per line and nothing else", async () => {
    const model = await server({ replies: fixScript() });
    const result = await run([...ollama(model.url), "--yes", "--json", "fix add"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    const events = lines.map(
      (line) => JSON.parse(line) as { type: string; [key: string]: unknown },
    );
    expect(events[0]?.type).toBe("run-start");
    expect(events.at(-1)).toMatchObject({
      type: "done",
      result: { status: "done", summary: "add() now adds." },
    });
    const calls = events.filter((event) => event.type === "tool-call").map((event) => event.name);
    expect(calls).toEqual(["read_file", "edit_file", "done"]);
    expect(events.filter((event) => event.type === "tool-result")).toHaveLength(3);
    expect(events.some((event) => event.type === "text-delta")).toBe(true);
  });

  it("Ctrl-C during a command kills it, summarises what changed and exits 130", async () => {
    // A unique duration marks the processes; one sleep runs in the background, so a
    // grandchild must be killed too.
    const marker = `sleep 300.${String(process.pid % 1000).padStart(3, "0")}${Date.now() % 1000}`;
    const model = await server({
      replies: [
        call("write_file", { path: "new.txt", content: "x\n" }),
        call("run_shell", { command: `${marker} & ${marker}; wait` }),
      ],
    });
    const cli = start([...ollama(model.url), "--yes", "work"]);
    await until(() => processesMatching(marker).length >= 2, "the command to start");
    cli.child.kill("SIGINT");
    const result = await cli.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain("Stopping… (press Ctrl-C again to quit at once)");
    expect(result.stdout).toMatch(/■ interrupted · 2 steps/);
    expect(result.stdout).toContain("changed so far: new.txt (new)");
    await until(() => processesMatching(marker).length === 0, "the command to be killed", 3000);
  });

  it("Ctrl-C while the model streams closes the request and exits 130", async () => {
    const model = await server({ replies: [{ text: "Thinking about it", hang: true }] });
    const cli = start([...ollama(model.url), "--yes", "--json", "think"]);
    await until(
      () => model.openChats > 0 && cli.output().includes("text-delta"),
      "the reply to stream",
    );
    cli.child.kill("SIGINT");
    const result = await cli.done;
    expect(result.code).toBe(130);
    await until(
      () => model.abortedChats === 1 && model.openChats === 0,
      "the request to close",
      3000,
    );
    const last = JSON.parse(result.stdout.trimEnd().split("\n").at(-1) ?? "{}");
    expect(last).toMatchObject({ type: "done", result: { status: "aborted" } });
  });

  it("two Ctrl-C in a row exit 130 without waiting", async () => {
    const model = await server({ replies: [{ text: "Thinking", hang: true }] });
    const cli = start([...ollama(model.url), "--yes", "think"]);
    await until(() => model.openChats > 0, "the request");
    cli.child.kill("SIGINT");
    cli.child.kill("SIGINT");
    const result = await cli.done;
    expect(result.code).toBe(130);
    expect(cli.child.exitCode).toBe(130);
  });

  it("stops at --max-steps with exit 1", async () => {
    const model = await server({
      replies: [call("read_file", { path: "calc.py" }), call("read_file", { path: "calc.py" })],
    });
    const result = await run([...ollama(model.url), "--max-steps", "1", "loop"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("✗ stopped · 1 step");
    expect(result.stdout).toContain("limit of 1 steps");
  });

  it("stops at --timeout with exit 1", async () => {
    const model = await server({ replies: [{ text: "Thinking", hang: true }] });
    const result = await run([...ollama(model.url), "--timeout", "500ms", "think"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("✗ stopped");
    await until(() => model.openChats === 0, "the request to close", 3000);
  });

  it("refuses a --timeout longer than a timer can hold instead of stopping at once", async () => {
    const model = await server({ replies: [call("done", { summary: "ok" })] });
    const result = await run([...ollama(model.url), "--timeout", "597h", "x"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--timeout 597h is longer than the longest supported");
    expect(model.chats).toBe(0);
  });

  it("clamps a contextWindow past the model's trained length and says so", async () => {
    const model = await server({ replies: [call("done", { summary: "ok" })] });
    mkdirSync(path.join(cli.repo, ".gemma-coder"));
    writeFileSync(
      path.join(cli.repo, ".gemma-coder", "config.json"),
      JSON.stringify({ contextWindow: 1_000_000 }),
    );
    const result = await run([...ollama(model.url), "--yes", "x"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      "contextWindow 1000000 is past gemma4:e4b's trained context length (32768)",
    );
    const chat = model.requests.find((request) => request.path === "/api/chat");
    expect(chat?.body).toMatchObject({ options: { num_ctx: 32_768 } });
  });

  it("a provider failure mid-run exits 1", async () => {
    const model = await server({
      replies: [call("read_file", { path: "calc.py" }), { status: 400, error: "bad request" }],
    });
    const result = await run([...ollama(model.url), "--yes", "x"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ stopped · 2 steps/);
  });

  it("detects a running Ollama from OLLAMA_HOST and says what it picked", async () => {
    const model = await server({
      replies: [call("done", { summary: "ok" })],
      models: ["gemma4:e2b"],
    });
    const result = await run(["--yes", "check"], { env: { OLLAMA_HOST: model.url } });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `ollama gemma4:e2b at ${model.url} (found Ollama at ${model.url}, model gemma4:e2b`,
    );
  });

  it("honours --read-only, --rules, --no-rules and --cwd", async () => {
    writeFileSync(path.join(cli.repo, "MY_RULES.md"), "Always answer in haiku.");
    mkdirSync(path.join(cli.repo, "sub"));
    const model = await server({
      replies: [
        call("done", { summary: "a" }),
        call("done", { summary: "b" }),
        call("done", { summary: "c" }),
      ],
    });
    const system = (index: number) => {
      const body = model.requests.filter((r) => r.path === "/api/chat")[index]?.body as {
        messages: Array<{ role: string; content: string }>;
      };
      return body.messages[0]?.content ?? "";
    };
    expect(
      (await run([...ollama(model.url), "--read-only", "--rules", "MY_RULES.md", "look"])).code,
    ).toBe(0);
    expect(system(0)).toContain("read_file");
    expect(system(0)).not.toContain("write_file");
    expect(system(0)).toContain("Always answer in haiku.");
    expect((await run([...ollama(model.url), "--no-rules", "--yes", "look"])).code).toBe(0);
    expect(system(1)).toContain("write_file");
    expect(system(1)).not.toContain("haiku");
    const inSub = await run([...ollama(model.url), "--cwd", "sub", "--yes", "look"]);
    expect(inSub.stderr).toContain(`· ${path.join(cli.repo, "sub")}`);
  });

  it("prints the version and the help with examples", async () => {
    const version = await run(["--version"]);
    const pkg = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as {
      version: string;
    };
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Examples");
    expect(help.stdout).toContain('gemma-coder "fix the failing pytest in tests/test_api.py"');
  });

  describe("misconfiguration exits 2 with a one-paragraph explanation", () => {
    const paragraph = (text: string) => {
      expect(text).toMatch(/^gemma-coder: /);
      expect(text.trim().split("\n\n")).toHaveLength(1);
    };

    it("an unknown provider", async () => {
      const result = await run(["--provider", "gpt5", "x"]);
      expect(result.code).toBe(2);
      paragraph(result.stderr);
      expect(result.stderr).toContain('Unknown provider "gpt5"');
      expect(result.stdout).toBe("");
    });

    it("an unreachable server", async () => {
      const url = `http://127.0.0.1:${await deadPort()}`;
      const result = await run([...ollama(url), "x"]);
      expect(result.code).toBe(2);
      paragraph(result.stderr);
      expect(result.stderr).toContain(`Cannot reach ollama at ${url}`);
    });

    it("a missing key", async () => {
      const result = await run(["--provider", "openrouter", "x"], {
        env: { OPENROUTER_API_KEY: "" },
      });
      expect(result.code).toBe(2);
      paragraph(result.stderr);
      expect(result.stderr).toContain("OpenRouter needs an API key");
    });

    it("a model that is not pulled", async () => {
      const model = await server({ models: ["gemma4:e4b"] });
      const result = await run([...ollama(model.url), "--model", "gemma4:e2b", "x"]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("ollama pull gemma4:e2b");
      expect(model.chats).toBe(0);
    });

    it("an unknown flag, a missing task and an invalid config file", async () => {
      const flag = await run(["--bogus", "x"]);
      expect(flag.code).toBe(2);
      expect(flag.stderr).toContain("Unknown option --bogus.");
      expect(flag.stderr).toContain("gemma-coder --help");
      expect((await run([])).code).toBe(2);
      mkdirSync(path.join(cli.repo, ".gemma-coder"));
      writeFileSync(
        path.join(cli.repo, ".gemma-coder", "config.json"),
        '{"provider": "ollama", "modle": "x"}',
      );
      const config = await run(["x"]);
      expect(config.code).toBe(2);
      expect(config.stderr).toContain('unknown key "modle"');
    });

    it("nothing to run on at all", async () => {
      const dead = `http://127.0.0.1:${await deadPort()}`;
      const result = await run(["x"], { env: { GEMMA_CODER_BASE_URL: dead } });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("Ollama");
      expect(result.stderr).toContain("llama-server");
      expect(result.stderr).toContain("OPENROUTER_API_KEY");
    });

    it("with --json, also as an error event on stdout", async () => {
      const url = `http://127.0.0.1:${await deadPort()}`;
      const result = await run([...ollama(url), "--json", "x"]);
      expect(result.code).toBe(2);
      expect(JSON.parse(result.stdout)).toMatchObject({
        type: "error",
        error: { code: "provider-connection" },
      });
    });
  });
});
