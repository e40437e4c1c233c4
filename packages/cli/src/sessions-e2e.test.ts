// End-to-end tests of sessions in the real bin: transcripts, --continue / --resume (also
// after SIGKILL), undo in a git repository with the user's own changes around, the demo,
// and the error cases. Like e2e.test.ts they need the built packages.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  hasGit,
  missingBuilds,
  ollama,
  processesMatching,
  until,
  useCliHarness,
} from "./__fixtures__/cli-harness.js";
import { call } from "./__fixtures__/model-server.mjs";

if (missingBuilds.length > 0) {
  console.warn(
    `Skipping the CLI session end-to-end tests: packages ${missingBuilds.join(", ")} are not built (run \`pnpm build\` first).`,
  );
}
if (!hasGit) console.warn("Skipping the undo end-to-end tests: git is not installed.");

const cli = useCliHarness();
const { run, start, server, read } = cli;

/** The default sessions folder: the user's data folder, keyed by the workspace's real path. */
const sessionsDir = () => {
  const key = createHash("sha256").update(realpathSync(cli.repo)).digest("hex").slice(0, 16);
  return path.join(cli.root, ".local", "share", "gemma-coder", "sessions", `repo-${key}`);
};

function transcripts(dir = sessionsDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name.endsWith(".jsonl"));
}

function records(sessionId: string, dir = sessionsDir()): Array<Record<string, unknown>> {
  return readFileSync(path.join(dir, `${sessionId}.jsonl`), "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The session and run ids the summary prints on stderr. */
function ids(stderr: string): { sessionId: string; runId: string } {
  const match = /session (\S+) · run (\S+)/.exec(stderr);
  expect(match, stderr).not.toBeNull();
  return { sessionId: match?.[1] ?? "", runId: match?.[2] ?? "" };
}

function chatMessages(model: { requests: Array<{ path: string; body: unknown }> }, index: number) {
  const chats = model.requests.filter((request) => request.path === "/api/chat");
  const body = chats.at(index)?.body as { messages: Array<{ role: string; content: string }> };
  return body.messages;
}

function git(...args: string[]): string {
  const result = spawnSync("git", args, { cwd: cli.repo, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** One paragraph starting with `gemma-coder: `, as every configuration error is. */
function paragraph(text: string): void {
  expect(text).toMatch(/^gemma-coder: /);
  expect(text.trim().split("\n\n")).toHaveLength(1);
}

describe.skipIf(missingBuilds.length > 0)("gemma-coder sessions (the real bin)", () => {
  it("records a transcript, then --continue resumes it with its history", async () => {
    const model = await server({
      replies: [
        call("edit_file", { path: "calc.py", old: "a - b", new: "a + b" }),
        call("done", { summary: "add() now adds." }),
        call("done", { summary: "Said hello too." }),
        call("done", { summary: "And goodbye." }),
      ],
    });
    const first = await run([...ollama(model.url), "--yes", "fix add in calc.py"]);
    expect(first.code).toBe(0);
    const { sessionId, runId } = ids(first.stderr);
    expect(first.stderr).toContain("undo: gemma-coder undo");
    expect(first.stderr).toContain(`continue: gemma-coder --resume ${sessionId} "<follow-up>"`);
    expect(transcripts()).toEqual([`${sessionId}.jsonl`]);
    const written = records(sessionId);
    expect(written[0]).toMatchObject({ type: "session", sessionId, workspace: cli.repo });
    expect(written.find((r) => r.type === "run-start")).toMatchObject({
      runId,
      task: "fix add in calc.py",
    });
    expect(written.at(-1)).toMatchObject({ type: "run-end", runId, status: "done" });
    // Transcripts stay out of the workspace and the user's git status.
    expect(existsSync(path.join(cli.repo, ".gemma-coder"))).toBe(false);
    if (hasGit) expect(git("status", "--porcelain")).not.toContain(".gemma-coder");

    // A finished session needs a follow-up message.
    const bare = await run([...ollama(model.url), "--yes", "--continue"]);
    expect(bare.code).toBe(2);
    paragraph(bare.stderr);
    expect(bare.stderr).toContain(`session ${sessionId} already finished`);
    expect(model.chats).toBe(2);

    const second = await run([
      ...ollama(model.url),
      "--yes",
      "--continue",
      "also say hello in the summary",
    ]);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(`Continuing session ${sessionId}: "fix add in calc.py"`);
    expect(second.stdout).toContain("Said hello too.");
    // This run took one step; the session's earlier two are not counted again.
    expect(second.stdout).toMatch(/✓ done · 1 step ·/);
    expect(ids(second.stderr).sessionId).toBe(sessionId);
    // The model got the whole earlier conversation, then the follow-up.
    const resumed = chatMessages(model, -1);
    const earlier = chatMessages(model, 1);
    expect(resumed.slice(0, earlier.length - 1)).toEqual(earlier.slice(0, -1));
    const text = JSON.stringify(resumed);
    expect(text).toContain("fix add in calc.py");
    expect(text).toContain("edit_file");
    expect(text).toContain("a - b");
    expect(text).toContain("add() now adds.");
    expect(resumed.at(-1)?.content).toContain("also say hello in the summary");
    const runStarts = records(sessionId).filter((r) => r.type === "run-start");
    expect(runStarts).toHaveLength(2);
    expect(runStarts[1]).toMatchObject({
      resumeOf: runId,
      message: "also say hello in the summary",
    });
  });

  it("a run killed with SIGKILL mid-reply is finished by --resume <id>", async () => {
    const model = await server({
      replies: [
        call("write_file", { path: "notes.txt", content: "one\n" }),
        { text: "Now the second part of the", hang: true },
        call("done", { summary: "Finished after the crash." }),
      ],
    });
    const cli1 = start([...ollama(model.url), "--yes", "--json", "write the notes"]);
    await until(
      () => model.chats === 2 && model.openChats === 1 && cli1.stdout().includes('"step":2'),
      "the second reply to stream",
    );
    const runStart = JSON.parse(cli1.stdout().split("\n")[0] ?? "{}") as {
      type: string;
      sessionId: string;
    };
    expect(runStart.type).toBe("run-start");
    cli1.child.kill("SIGKILL");
    const killed = await cli1.done;
    expect(killed.signal).toBe("SIGKILL");
    await until(() => model.openChats === 0, "the killed request to close", 3000);
    // The transcript has no end: the session was cut off.
    expect(records(runStart.sessionId).some((r) => r.type === "run-end")).toBe(false);

    const prefix = runStart.sessionId.slice(0, 17);
    const resumed = await run([...ollama(model.url), "--yes", "--resume", prefix]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(
      `Continuing session ${runStart.sessionId}: "write the notes" (last run was cut off`,
    );
    expect(resumed.stdout).toContain("✓ done");
    expect(resumed.stdout).toContain("Finished after the crash.");
    expect(read("notes.txt")).toBe("one\n");
    const messages = JSON.stringify(chatMessages(model, -1));
    expect(messages).toContain("write the notes");
    expect(messages).toContain("notes.txt");
    // The half reply was dropped and asked again.
    expect(messages).not.toContain("Now the second part");
    const ends = records(runStart.sessionId).filter((r) => r.type === "run-end");
    expect(ends).toMatchObject([{ status: "done" }]);
  });

  it("after Ctrl-C at an approval prompt, --resume says the call never ran and may redo it", async () => {
    const model = await server({
      replies: [
        call("edit_file", { path: "calc.py", old: "a - b", new: "a + b" }),
        call("edit_file", { path: "calc.py", old: "a - b", new: "a + b" }),
        call("done", { summary: "add() adds now." }),
      ],
    });
    const asking = start([...ollama(model.url), "fix add"], {
      env: { GEMMA_CODER_FORCE_PROMPT: "1" },
    });
    await until(() => asking.output().includes("Allow edit_file calc.py?"), "the question");
    asking.child.kill("SIGINT");
    const stopped = await asking.done;
    expect(stopped.code).toBe(130);
    expect(read("calc.py")).toContain("a - b");
    const { sessionId } = ids(stopped.stderr);

    const resumed = await run([...ollama(model.url), "--yes", "--resume", sessionId]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(
      "edit_file (step 1) was waiting for approval, so it never ran",
    );
    expect(resumed.stderr).not.toContain("was running");
    // The model reads that the call never ran, not that its effect is unknown.
    const told = JSON.stringify(chatMessages(model, 1));
    expect(told).toContain("so it was never run");
    expect(told).not.toContain("effect is unknown");
    expect(read("calc.py")).toContain("a + b");
  });

  it.skipIf(!hasGit)(
    "undo restores edited, created and deleted files and leaves the user's own changes alone",
    async () => {
      git("config", "user.email", "test@example.com");
      git("config", "user.name", "Test");
      writeFileSync(path.join(cli.repo, "old.txt"), "old\n");
      writeFileSync(path.join(cli.repo, "mine.txt"), "mine\n");
      git("add", "-A");
      git("commit", "-q", "-m", "init");
      // The user's own uncommitted change, in a file the run does not touch.
      writeFileSync(path.join(cli.repo, "mine.txt"), "mine\nmy own change\n");
      const before = {
        status: git("status", "--porcelain"),
        diff: git("diff", "--", "mine.txt"),
        head: git("rev-parse", "HEAD"),
      };
      expect(before.status).toBe(" M mine.txt\n");

      const model = await server({
        replies: [
          call("edit_file", { path: "calc.py", old: "a - b", new: "a + b" }),
          call("write_file", { path: "lib/new.txt", content: "new\n" }),
          call("run_shell", { command: "rm old.txt" }),
          call("done", { summary: "Changed three files." }),
        ],
      });
      const result = await run([...ollama(model.url), "--yes", "change things"]);
      expect(result.code).toBe(0);
      const { runId } = ids(result.stderr);
      expect(existsSync(path.join(cli.repo, "old.txt"))).toBe(false);
      expect(read("lib/new.txt")).toBe("new\n");

      const undo = await run(["undo"]);
      expect(undo.code).toBe(0);
      expect(undo.stdout).toContain(`Undid run ${runId}: restored 2 files, removed 1 file.`);
      expect(undo.stdout).toContain("restored  calc.py");
      expect(undo.stdout).toContain("restored  old.txt");
      expect(undo.stdout).toContain("removed   lib/new.txt");
      expect(read("calc.py")).toBe("def add(a, b):\n    return a - b\n");
      expect(read("old.txt")).toBe("old\n");
      expect(existsSync(path.join(cli.repo, "lib"))).toBe(false);
      expect(read("mine.txt")).toBe("mine\nmy own change\n");
      expect(git("status", "--porcelain")).toBe(before.status);
      expect(git("diff", "--", "mine.txt")).toBe(before.diff);
      expect(git("diff", "--cached")).toBe("");
      expect(git("rev-parse", "HEAD")).toBe(before.head);
      expect(git("stash", "list")).toBe("");

      const again = await run(["undo"]);
      expect(again.code).toBe(2);
      paragraph(again.stderr);
      expect(again.stderr).toContain("nothing to undo");
      const named = await run(["undo", runId.slice(0, 8)]);
      expect(named.code).toBe(2);
      expect(named.stderr).toContain(`Run ${runId} was already undone`);
    },
  );

  it.skipIf(!hasGit)(
    "undo leaves a file changed since the run alone (exit 1) until --force",
    async () => {
      const model = await server({
        replies: [
          call("edit_file", { path: "calc.py", old: "a - b", new: "a + b" }),
          call("done", { summary: "fixed" }),
        ],
      });
      expect((await run([...ollama(model.url), "--yes", "fix add"])).code).toBe(0);
      writeFileSync(path.join(cli.repo, "calc.py"), "# edited by hand\n");
      const undo = await run(["undo"]);
      expect(undo.code).toBe(1);
      expect(undo.stdout).toContain("left 1 file as it was (changed since the run)");
      expect(undo.stdout).toMatch(/kept {6}calc\.py: It was changed after the run/);
      expect(undo.stderr).toContain("--force");
      expect(read("calc.py")).toBe("# edited by hand\n");
      const forced = await run(["undo", "--force"]);
      expect(forced.code).toBe(0);
      expect(read("calc.py")).toBe("def add(a, b):\n    return a - b\n");
    },
  );

  it("demo replays the recorded session with no model: exit 0, a label, passing tests", async () => {
    // A model server stands where detection would look, to show that nothing asks it.
    const model = await server({ replies: [] });
    const dir = path.join(cli.root, "demo");
    const result = await run(["demo", dir], {
      env: { OLLAMA_HOST: model.url, GEMMA_CODER_BASE_URL: model.url },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("Replay of a recorded session: no model is running.");
    expect(result.stderr).toContain("No model is running; the tools and their results are real.");
    expect(result.stdout).toContain("→ run_shell $ node --test");
    expect(result.stdout).toContain("→ edit_file src/paginate.js");
    expect(result.stdout).toMatch(/✓ done · 5 steps/);
    expect(result.stderr).toContain(`The scratch copy is in ${dir}. Run its tests:`);
    expect(result.stderr).toContain(`undo: gemma-coder -C ${dir} undo`);
    expect(model.requests).toEqual([]);
    const tests = spawnSync(process.execPath, ["--test"], { cwd: dir, encoding: "utf8" });
    expect(tests.status, tests.stdout + tests.stderr).toBe(0);
    expect(processesMatching(dir)).toEqual([]);
  });

  it("demo --json streams the events and makes its own scratch folder", async () => {
    const result = await run(["demo", "--json", "--no-session"]);
    expect(result.code).toBe(0);
    const events = result.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; result?: { status: string } });
    expect(events[0]?.type).toBe("run-start");
    expect(events.at(-1)).toMatchObject({ type: "done", result: { status: "done" } });
    const dir = /The scratch copy is in (.+)\. Run its tests/.exec(result.stderr)?.[1];
    expect(dir).toBeDefined();
    try {
      expect(existsSync(path.join(dir as string, "src", "paginate.js"))).toBe(true);
      expect(existsSync(path.join(dir as string, ".gemma-coder"))).toBe(false);
    } finally {
      rmSync(dir as string, { recursive: true, force: true });
    }
  });

  it("--sessions-dir keeps sessions elsewhere and --no-session records nothing", async () => {
    const model = await server({
      replies: [
        call("write_file", { path: "a.txt", content: "a\n" }),
        call("done", { summary: "wrote a" }),
        call("write_file", { path: "b.txt", content: "b\n" }),
        call("done", { summary: "wrote b" }),
      ],
    });
    const elsewhere = path.join(cli.root, "kept");
    const kept = await run([...ollama(model.url), "--yes", "--sessions-dir", "../kept", "a"]);
    expect(kept.code).toBe(0);
    const { sessionId } = ids(kept.stderr);
    expect(transcripts(elsewhere)).toEqual([`${sessionId}.jsonl`]);
    expect(kept.stderr).toContain(`undo: gemma-coder --sessions-dir ${elsewhere} undo`);
    expect(existsSync(path.join(cli.repo, ".gemma-coder"))).toBe(false);

    const none = await run([...ollama(model.url), "--yes", "--no-session", "b"]);
    expect(none.code).toBe(0);
    expect(none.stderr).not.toMatch(/session \S+ · run/);
    expect(existsSync(path.join(cli.repo, ".gemma-coder"))).toBe(false);
    expect(transcripts(elsewhere)).toHaveLength(1);

    // A shared folder does not let a session continue in another workspace.
    mkdirSync(path.join(cli.repo, "sub"));
    const elsewhereRun = await run([
      "-C",
      "sub",
      "--sessions-dir",
      "../../kept",
      "--continue",
      "x",
    ]);
    expect(elsewhereRun.code).toBe(2);
    paragraph(elsewhereRun.stderr);
    expect(elsewhereRun.stderr).toContain(`session ${sessionId} was recorded in ${cli.repo}`);

    const listed = await run(["sessions", "--sessions-dir", "../kept"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${sessionId} .* done +1 run +a\\n$`));
    const undo = await run(["undo", "--sessions-dir", "../kept"]);
    expect(undo.code).toBe(0);
    expect(existsSync(path.join(cli.repo, "a.txt"))).toBe(false);
    expect(read("b.txt")).toBe("b\n");
  });

  describe("errors exit 2 with a one-paragraph explanation, before any model is asked", () => {
    const header = (version: number, sessionId: string) =>
      `${JSON.stringify({ v: version, time: 0, type: "session", format: "gemma-coder-transcript", sessionId })}\n`;

    it("an unknown session id", async () => {
      const result = await run(["--resume", "nosuch", "--yes"]);
      expect(result.code).toBe(2);
      paragraph(result.stderr);
      expect(result.stderr).toContain('There is no session "nosuch"');
      expect(result.stderr).toContain("gemma-coder sessions");
      expect(result.stdout).toBe("");
    });

    it("--continue with no session, and a follow-up taken for an id", async () => {
      const none = await run(["--continue", "more"]);
      expect(none.code).toBe(2);
      paragraph(none.stderr);
      expect(none.stderr).toContain("there is no session to continue");
      const words = await run(["--resume", "fix it more"]);
      expect(words.code).toBe(2);
      paragraph(words.stderr);
      expect(words.stderr).toContain('use --continue "fix it more"');
    });

    it("an ambiguous prefix and a transcript from a newer version", async () => {
      mkdirSync(sessionsDir(), { recursive: true });
      for (const id of ["20250101-000000-aaaaaa", "20250101-000000-bbbbbb"]) {
        writeFileSync(path.join(sessionsDir(), `${id}.jsonl`), header(1, id));
      }
      writeFileSync(
        path.join(sessionsDir(), "20990101-000000-ffffff.jsonl"),
        header(99, "20990101-000000-ffffff"),
      );
      const ambiguous = await run(["--resume", "20250101"]);
      expect(ambiguous.code).toBe(2);
      paragraph(ambiguous.stderr);
      expect(ambiguous.stderr).toContain('"20250101" matches 2 sessions');
      const newer = await run(["--resume", "2099", "--json"]);
      expect(newer.code).toBe(2);
      paragraph(newer.stderr);
      expect(newer.stderr).toContain("written by a newer gemma-coder");
      expect(JSON.parse(newer.stdout)).toMatchObject({
        type: "error",
        error: { code: "unsupported" },
      });
      const empty = await run(["--resume", "20250101-000000-aaaaaa"]);
      expect(empty.code).toBe(2);
      expect(empty.stderr).toContain("has nothing to continue");
    });

    it("undo with nothing to undo, an unknown run, and misplaced flags", async () => {
      const nothing = await run(["undo"]);
      expect(nothing.code).toBe(2);
      paragraph(nothing.stderr);
      expect(nothing.stderr).toContain("nothing to undo");
      const unknown = await run(["undo", "nosuch"]);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("There is no checkpoint of run nosuch");
      const flag = await run(["undo", "--provider", "ollama"]);
      expect(flag.code).toBe(2);
      expect(flag.stderr).toContain("--provider does not apply to `gemma-coder undo`");
      const both = await run(["--continue", "--no-session", "x"]);
      expect(both.code).toBe(2);
      expect(both.stderr).toContain("cannot be used with --no-session");
    });
  });
});
