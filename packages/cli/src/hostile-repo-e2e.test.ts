// End-to-end tests of a hostile repository against the real `gemma-coder` bin: what a
// cloned repository plants (rulebook links, devices, FIFOs, a repo-local git config) must
// not reach the model server or run before the user answers.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  hasGit,
  hasPython,
  missingBuilds,
  ollama,
  useCliHarness,
} from "./__fixtures__/cli-harness.js";
import { call } from "./__fixtures__/model-server.mjs";

const cli = useCliHarness();
const { run, server } = cli;
const isPosix = process.platform !== "win32";
const hasMkfifo = isPosix && spawnSync("mkfifo", ["--version"]).error === undefined;

/** Everything the model server received, as one string. */
function received(model: { requests: unknown[] }): string {
  return JSON.stringify(model.requests);
}

describe.skipIf(missingBuilds.length > 0)("a hostile repository (the real bin)", () => {
  describe.skipIf(!isPosix)("rulebook", () => {
    it("never sends a file an AGENTS.md link points to outside the repository", async () => {
      const secret = path.join(cli.root, "secret.env");
      writeFileSync(secret, "API_TOKEN=RULEBOOK-SECRET-MARKER\n");
      symlinkSync(secret, path.join(cli.repo, "AGENTS.md"));
      const model = await server({ replies: [call("done", { summary: "ok" })] });
      const result = await run([...ollama(model.url), "--read-only", "say hi"]);
      expect(result.code).toBe(0);
      expect(model.chats).toBe(1);
      expect(received(model)).not.toContain("RULEBOOK-SECRET-MARKER");
      expect(result.stderr + result.stdout).toMatch(
        /AGENTS\.md was skipped: .*outside the repository/,
      );
    });

    it("never sends the environment through an AGENTS.md link to /proc/self/environ", async () => {
      symlinkSync("/proc/self/environ", path.join(cli.repo, "AGENTS.md"));
      const model = await server({ replies: [call("done", { summary: "ok" })] });
      const result = await run([...ollama(model.url), "--read-only", "say hi"], {
        env: { OPENROUTER_API_KEY: "sk-or-ENV-SECRET-MARKER" },
      });
      expect(result.code).toBe(0);
      expect(received(model)).not.toContain("ENV-SECRET-MARKER");
    });

    it("refuses an AGENTS.md link to /dev/zero without reading it, and finishes", async () => {
      symlinkSync("/dev/zero", path.join(cli.repo, "AGENTS.md"));
      const model = await server({ replies: [call("done", { summary: "ok" })] });
      const result = await run([...ollama(model.url), "--read-only", "say hi"]);
      expect(result.code).toBe(0);
      expect(result.stderr + result.stdout).toMatch(/AGENTS\.md was skipped/);
      // The default rulebook went out instead: the prompt stays its usual size.
      expect(received(model).length).toBeLessThan(200_000);
    });

    it.skipIf(!hasMkfifo)("refuses an AGENTS.md FIFO instead of waiting on it", async () => {
      spawnSync("mkfifo", [path.join(cli.repo, "AGENTS.md")]);
      const model = await server({ replies: [call("done", { summary: "ok" })] });
      const result = await run([...ollama(model.url), "--read-only", "say hi"]);
      expect(result.code).toBe(0);
      expect(result.stderr + result.stdout).toMatch(/AGENTS\.md was skipped: .*not a regular file/);
    });
  });

  describe.skipIf(!isPosix || !hasGit)("approval comes before any git command", () => {
    /** Plants a repo-local `core.fsmonitor` that leaves a marker when git runs it. */
    function plantFsmonitor(): string {
      const marker = path.join(cli.root, "fsmonitor-ran");
      const hook = path.join(cli.root, "fsmonitor.sh");
      writeFileSync(hook, `#!/bin/sh\necho ran >> '${marker}'\nexit 0\n`);
      chmodSync(hook, 0o755);
      spawnSync("git", ["config", "core.fsmonitor", hook], { cwd: cli.repo });
      return marker;
    }
    const replies = [
      call("run_shell", { command: "echo hi" }),
      call("done", { summary: "stopped" }),
    ];

    it("runs no repo-local fsmonitor when the command is denied at the prompt", async () => {
      const marker = plantFsmonitor();
      const model = await server({ replies });
      const result = await run([...ollama(model.url), "say hi"], {
        env: { GEMMA_CODER_FORCE_PROMPT: "1" },
        input: "n\n",
      });
      expect(result.code).toBe(0);
      expect(result.stderr).toContain("Allow run_shell");
      expect(result.stdout).toContain("run_shell was denied by the user");
      expect(existsSync(marker)).toBe(false);
    });

    it.skipIf(!hasPython)(
      "runs no repo-local fsmonitor when the command is denied on a real terminal",
      async () => {
        const marker = plantFsmonitor();
        const model = await server({ replies });
        // python3's pty module gives the CLI a real terminal; our stdin is copied to it.
        const result = await run([...ollama(model.url), "say hi"], {
          input: "n\n",
          env: { TERM: "xterm" },
          command: [
            "python3",
            "-c",
            "import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))",
            process.execPath,
          ],
        });
        expect(result.code).toBe(0);
        expect(result.stdout).toContain("Allow run_shell");
        expect(existsSync(marker)).toBe(false);
      },
    );

    it("runs no repo-local fsmonitor when the command is refused without a terminal", async () => {
      const marker = plantFsmonitor();
      const model = await server({ replies });
      const result = await run([...ollama(model.url), "say hi"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("not approved");
      expect(existsSync(marker)).toBe(false);
    });
  });
});
