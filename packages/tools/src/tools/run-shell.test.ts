import { promises as fs, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  call,
  failure,
  isRunning,
  makeWorkspace,
  type TestWorkspace,
  value,
  waitFor,
} from "../__fixtures__/workspace.js";
import { createRunShellTool } from "./run-shell.js";

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace();
});
afterEach(() => ws.cleanup());

// Every process a test learns about is checked again at the end of the file, and no
// process of the kind these tests start (`sleep 613`) may be left anywhere.
const seenPids: number[] = [];
afterAll(async () => {
  await waitFor(() => seenPids.every((pid) => !isRunning(pid)), 5000);
  if (process.platform === "linux") {
    const leftovers = readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name) && isRunning(Number(name)))
      .filter((name) => {
        try {
          return readFileSync(`/proc/${name}/cmdline`, "utf8") === "sleep\u0000613\u0000";
        } catch {
          return false;
        }
      });
    expect(leftovers).toEqual([]);
  }
});

function pidsIn(text: string): number[] {
  const pids = [...text.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
  seenPids.push(...pids);
  return pids;
}

const posix = process.platform !== "win32";
const tool = (
  options: { shellTimeoutMs?: number; maxOutputChars?: number; allowEnv?: string[] } = {},
) => createRunShellTool({ root: ws.root, ...options });

describe.runIf(posix)("run_shell", () => {
  it("reports the exit code, duration and interleaved output", async () => {
    expect(await value(tool(), { command: "echo out; echo err >&2; echo out2; exit 3" })).toMatch(
      /^exit 3 in \d+ms\nout\nerr\nout2$/,
    );
    expect(await value(tool(), { command: "true" })).toMatch(/^exit 0 in \d+ms\n\(no output\)$/);
  });

  it("runs in the workspace root", async () => {
    const out = await value(tool(), { command: "pwd" });
    expect(out.split("\n")[1]).toBe(await fs.realpath(ws.root));
  });

  it("kills a command that hangs, with its whole process group", async () => {
    const started = Date.now();
    const out = await value(tool(), {
      command: "sleep 613 & echo pid=$!; sh -c 'trap \"\" TERM; sleep 613' & echo pid=$!; wait",
      timeout_ms: 700,
    });
    expect(out).toMatch(
      /^timed out after 700ms; the command and everything it started were killed\n/,
    );
    const pids = pidsIn(out);
    expect(pids).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(15_000);
    await waitFor(() => pids.every((pid) => !isRunning(pid)));
  });

  it("uses the default timeout from the options", async () => {
    expect(await value(tool({ shellTimeoutMs: 300 }), { command: "sleep 613" })).toMatch(
      /^timed out after 300ms/,
    );
  });

  it("closes standard input, so a command that reads it ends at once", async () => {
    expect(await value(tool({ shellTimeoutMs: 10_000 }), { command: "cat" })).toMatch(
      /^exit 0 in \d+ms\n\(no output\)$/,
    );
    expect(
      await value(tool({ shellTimeoutMs: 10_000 }), {
        command: 'read line; echo "status=$? line=[$line]"',
      }),
    ).toMatch(/^exit 0 in \d+ms\nstatus=1 line=\[\]$/);
  });

  it("does not wait for a grandchild that keeps the output pipe open, and kills it", async () => {
    const started = Date.now();
    const out = await value(tool({ shellTimeoutMs: 60_000 }), {
      command: "sleep 613 & echo pid=$!; echo done",
    });
    expect(out).toMatch(/^exit 0 in \d+ms\npid=\d+\ndone$/);
    expect(Date.now() - started).toBeLessThan(10_000);
    const [pid] = pidsIn(out);
    await waitFor(() => !isRunning(pid!));
  });

  it("kills background jobs that redirected their output", async () => {
    const out = await value(tool(), { command: "nohup sleep 613 >/dev/null 2>&1 & echo pid=$!" });
    const [pid] = pidsIn(out);
    await waitFor(() => !isRunning(pid!));
  });

  it("finishes even when a process that left the group holds the pipe", async () => {
    const out = await value(tool({ shellTimeoutMs: 60_000 }), {
      command: "setsid sleep 30 & echo pid=$!",
    });
    expect(out).toMatch(/^exit 0/);
    // It escaped the process group, so the test stops it itself.
    const [pid] = pidsIn(out);
    try {
      process.kill(pid!, "SIGKILL");
    } catch {
      // Already gone.
    }
  });

  it("keeps memory bounded when a command prints 200 MB", async () => {
    const before = process.memoryUsage();
    const out = await value(tool({ maxOutputChars: 4000 }), {
      command: "head -c 200000000 /dev/zero | tr '\\0' 'a'; echo; echo THE END",
    });
    const after = process.memoryUsage();
    const omitted = Number(/\[\.\.\. (\d+) bytes omitted/.exec(out)?.[1]);
    expect(omitted).toBeGreaterThan(199_990_000);
    expect(out.length).toBeLessThan(4200);
    expect(out.startsWith("exit 0 in ")).toBe(true);
    expect(out.endsWith("THE END")).toBe(true);
    // Nothing close to the 200 MB stays referenced by the heap or by buffers.
    expect(after.heapUsed - before.heapUsed).toBeLessThan(50_000_000);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(50_000_000);
  }, 60_000);

  it("keeps the head and the tail of long output", async () => {
    const out = await value(tool({ maxOutputChars: 1000 }), { command: "seq 1 100000" });
    const lines = out.split("\n");
    expect(lines[1]).toBe("1");
    expect(lines.at(-1)).toBe("100000");
    expect(out).toMatch(
      /\n\[\.\.\. \d+ bytes omitted; redirect the output to a file and search it \.\.\.\]\n/,
    );
  });

  it("drops colour codes and carriage-return progress", async () => {
    expect(
      await value(tool(), { command: "printf '\\033[31mred\\033[0m\\n10%%\\r50%%\\r100%%\\n'" }),
    ).toMatch(/\nred\n100%$/);
  });

  it("reports a signal that ended the shell", async () => {
    expect(await value(tool(), { command: "kill -TERM $$" })).toMatch(
      /^killed by SIGTERM after \d+ms/,
    );
  });

  it("kills everything when the run is aborted", async () => {
    const controller = new AbortController();
    const pending = call(
      tool({ shellTimeoutMs: 60_000 }),
      { command: "sleep 613 & echo $! > pid.txt; wait" },
      controller.signal,
    );
    const pidFile = path.join(ws.root, "pid.txt");
    let pid = 0;
    await waitFor(() => {
      try {
        pid = Number(readFileSync(pidFile, "utf8"));
      } catch {
        return false;
      }
      return pid > 0;
    });
    seenPids.push(pid);
    controller.abort();
    expect(await pending).toEqual({ ok: false, error: "The operation was aborted." });
    await waitFor(() => !isRunning(pid));
  });

  it("does not pass variables that look like secrets, unless allowed", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      MY_API_KEY: "k1",
      GITHUB_TOKEN: "t1",
      DB_PASSWORD: "p1",
      NPM_CONFIG__AUTH: "a1",
      GIT_AUTHOR_NAME: "Ada",
      PLAIN_SETTING: "ok",
      PAGER: "less",
    });
    try {
      const out = await value(tool({ allowEnv: ["GITHUB_TOKEN"] }), { command: "env" });
      const env = new Map(
        out
          .split("\n")
          .slice(1)
          .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
      );
      expect(env.has("MY_API_KEY")).toBe(false);
      expect(env.has("DB_PASSWORD")).toBe(false);
      expect(env.has("NPM_CONFIG__AUTH")).toBe(false);
      expect(env.get("GITHUB_TOKEN")).toBe("t1");
      expect(env.get("GIT_AUTHOR_NAME")).toBe("Ada");
      expect(env.get("PLAIN_SETTING")).toBe("ok");
      expect(env.get("PAGER")).toBe("cat");
      expect(env.get("GIT_PAGER")).toBe("cat");
      expect(env.get("GIT_TERMINAL_PROMPT")).toBe("0");
      expect(env.has("PATH")).toBe(true);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  it("explains a missing shell and an empty command", async () => {
    const missing = createRunShellTool({ root: ws.root, shell: "/nonexistent/zsh" });
    expect(await failure(missing, { command: "echo hi" })).toBe(
      "Could not start zsh: it is not installed.",
    );
    expect(await failure(tool(), { command: "  " })).toBe("command is empty.");
  });
});
