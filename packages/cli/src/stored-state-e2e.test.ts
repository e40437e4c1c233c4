// End-to-end tests of the trust in stored state, as an attacker would try it through the
// real bin: a checkpoint committed to the repository, an `undo` on a full disk, and a
// repository-local git setting that would run a program during a checkpoint.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hasGit, missingBuilds, ollama, until, useCliHarness } from "./__fixtures__/cli-harness.js";
import { call } from "./__fixtures__/model-server.mjs";

const cli = useCliHarness();
const { run, start, server, read } = cli;

function git(...args: string[]): string {
  const result = spawnSync("git", args, { cwd: cli.repo, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

function commitAll(): void {
  git("-c", "user.email=a@example.invalid", "-c", "user.name=A", "add", "-A");
  git("-c", "user.email=a@example.invalid", "-c", "user.name=A", "commit", "-q", "-m", "x");
}

/** A checkpoint as a hostile repository would commit it: future date, hostile paths. */
function plantCheckpoint(outside: string): void {
  const folder = path.join(cli.repo, ".gemma-coder", "sessions", "checkpoints", "20990101-evil");
  mkdirSync(path.join(folder, "files"), { recursive: true });
  const hook = "#!/bin/sh\necho owned > /dev/null\n";
  writeFileSync(path.join(folder, "files", "hook"), hook);
  const before = {
    kind: "file",
    sha256: createHash("sha256").update(hook).digest("hex"),
    size: hook.length,
    executable: true,
    perm: 0o755,
  };
  const entry = (copy: string) => ({
    before,
    after: { kind: "missing" },
    copy,
    step: 1,
    tool: "write_file",
  });
  const manifest = {
    v: 1,
    runId: "20990101-evil",
    workspace: path.dirname(outside),
    mode: "copy",
    createdAt: 4_102_444_800_000,
    updatedAt: 4_102_444_800_000,
    state: "active",
    workspaceSnapshot: false,
    files: {
      ".git/hooks/pre-commit": entry("files/hook"),
      "../outside.txt": entry("files/hook"),
      [outside]: entry("../../../../../calc.py"),
    },
    createdDirs: [],
    notes: [],
  };
  writeFileSync(path.join(folder, "manifest.json"), JSON.stringify(manifest));
}

describe.skipIf(missingBuilds.length > 0 || !hasGit)(
  "stored state is not trusted (the real bin)",
  () => {
    it("a checkpoint committed to the repository is ignored: undo undoes the user's own run", async () => {
      const outside = path.join(cli.root, "outside.txt");
      plantCheckpoint(outside);
      commitAll();
      const model = await server({
        replies: [
          call("edit_file", { path: "calc.py", old: "a - b", new: "a + b" }),
          call("done", { summary: "fixed" }),
        ],
      });
      const result = await run([...ollama(model.url), "--yes", "fix add"]);
      expect(result.code).toBe(0);
      const runId = /session \S+ · run (\S+)/.exec(result.stderr)?.[1];
      expect(runId).toBeDefined();

      const undo = await run(["undo"]);
      expect(undo.stderr + undo.stdout).not.toContain("20990101-evil");
      expect(existsSync(path.join(cli.repo, ".git", "hooks", "pre-commit"))).toBe(false);
      expect(existsSync(outside)).toBe(false);
      expect(undo.code).toBe(0);
      expect(undo.stdout).toContain(`Undid run ${runId}`);
      expect(read("calc.py")).toBe("def add(a, b):\n    return a - b\n");

      // Named explicitly, the planted run is not there either.
      const named = await run(["undo", "20990101-evil"]);
      expect(named.code).toBe(2);
      expect(named.stderr).toContain("There is no checkpoint of run 20990101-evil");
      expect(existsSync(path.join(cli.repo, ".git", "hooks", "pre-commit"))).toBe(false);
      expect(existsSync(outside)).toBe(false);
    });

    it("undo with no run of the user's own says there is nothing to undo", async () => {
      plantCheckpoint(path.join(cli.root, "outside.txt"));
      commitAll();
      const undo = await run(["undo"]);
      expect(undo.code).toBe(2);
      expect(undo.stderr).toContain("nothing to undo");
      expect(existsSync(path.join(cli.repo, ".git", "hooks", "pre-commit"))).toBe(false);
      expect(existsSync(path.join(cli.root, "outside.txt"))).toBe(false);
    });

    it("sessions go to the user's data folder, private, and never into the workspace", async () => {
      const model = await server({
        replies: [
          call("write_file", { path: "a.txt", content: "a\n" }),
          call("done", { summary: "wrote a" }),
        ],
      });
      const result = await run([...ollama(model.url), "--yes", "write a"]);
      expect(result.code).toBe(0);
      expect(existsSync(path.join(cli.repo, ".gemma-coder"))).toBe(false);
      const base = path.join(cli.root, ".local", "share", "gemma-coder", "sessions");
      const [folder] = readdirSync(base);
      expect(folder).toMatch(/^repo-[0-9a-f]{16}$/);
      const mode = (file: string) =>
        spawnSync("stat", ["-c", "%a", file], { encoding: "utf8" }).stdout.trim();
      if (process.platform !== "win32") {
        const dir = path.join(base, folder as string);
        expect(mode(dir)).toBe("700");
        const transcript = readdirSync(dir).find((name) => name.endsWith(".jsonl")) as string;
        expect(mode(path.join(dir, transcript))).toBe("600");
        const checkpoints = path.join(dir, "checkpoints");
        const [runFolder] = readdirSync(checkpoints);
        expect(mode(path.join(checkpoints, runFolder as string))).toBe("700");
        expect(mode(path.join(checkpoints, runFolder as string, "manifest.json"))).toBe("600");
      }
    });

    it("a repository-local core.fsmonitor never runs during a run or undo", async () => {
      const marker = path.join(cli.root, "fsmonitor-ran");
      const script = path.join(cli.root, "monitor.sh");
      writeFileSync(script, `#!/bin/sh\necho ran >> '${marker}'\n`);
      chmodSync(script, 0o755);
      commitAll();
      git("config", "core.fsmonitor", script);
      const model = await server({
        replies: [
          call("run_shell", { command: "echo hi > shell.txt" }),
          call("edit_file", { path: "calc.py", old: "a - b", new: "a + b" }),
          call("done", { summary: "done" }),
        ],
      });
      const result = await run([...ollama(model.url), "--yes", "change"]);
      expect(result.code).toBe(0);
      const undo = await run(["undo"]);
      expect(undo.code).toBe(0);
      expect(existsSync(path.join(cli.repo, "shell.txt"))).toBe(false);
      expect(existsSync(marker)).toBe(false);
    });

    it("undo on a full disk says so in one line, with no stack trace and no temporary file left", async () => {
      const model = await server({
        replies: [
          call("write_file", { path: "a.txt", content: "a\n" }),
          call("done", { summary: "wrote a" }),
        ],
      });
      expect((await run([...ollama(model.url), "--yes", "write a"])).code).toBe(0);
      const preload = path.join(cli.root, "enospc.mjs");
      writeFileSync(
        preload,
        [
          'import fs from "node:fs";',
          "const write = fs.promises.writeFile;",
          "fs.promises.writeFile = async (file, ...rest) => {",
          '  if (String(file).includes("manifest.json")) {',
          '    await write(file, "");',
          '    throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: "ENOSPC", errno: -28, syscall: "write" });',
          "  }",
          "  return write(file, ...rest);",
          "};",
        ].join("\n"),
      );
      const undo = await run(["undo"], { env: { NODE_OPTIONS: `--import=${preload}` } });
      expect(undo.code).toBe(2);
      expect(undo.stderr).toContain("no space left on device");
      expect(undo.stderr).not.toMatch(/\n\s+at /);
      const base = path.join(cli.root, ".local", "share", "gemma-coder", "sessions");
      const leftovers = spawnSync("find", [base, "-name", "*.tmp"], { encoding: "utf8" }).stdout;
      expect(leftovers).toBe("");
    });

    it("a second process cannot resume a session another one is running", async () => {
      const model = await server({
        replies: [
          call("write_file", { path: "notes.txt", content: "one\n" }),
          { text: "Still thinking about the", hang: true },
        ],
      });
      const first = start([...ollama(model.url), "--yes", "--json", "write the notes"]);
      await until(() => model.chats === 2 && model.openChats === 1, "the second reply to stream");
      const header = JSON.parse(first.stdout().split("\n")[0] ?? "{}") as { sessionId: string };
      const sessionId = header.sessionId;
      const second = await run([...ollama(model.url), "--yes", "--resume", sessionId, "more"]);
      expect(second.code).toBe(2);
      expect(second.stderr).toContain(
        `Session ${sessionId} is in use by another gemma-coder process`,
      );
      expect(second.stderr).not.toMatch(/\n\s+at /);
      expect(model.chats).toBe(2);
      first.child.kill("SIGKILL");
      await first.done;
      // Its holder is gone: the lock is stale and the session can be resumed.
      const resumed = start([...ollama(model.url), "--yes", "--resume", sessionId]);
      resumed.child.stdin?.end();
      await until(() => model.chats === 3, "the resumed run to ask the model");
      resumed.child.kill("SIGKILL");
      await resumed.done;
    });
  },
);
