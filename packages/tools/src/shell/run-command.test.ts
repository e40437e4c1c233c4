import os from "node:os";
import { describe, expect, it } from "vitest";
import { killRunningCommands, runCommand } from "./run-command.js";

describe.skipIf(process.platform === "win32")("killRunningCommands", () => {
  it("kills the process group of every running command, and nothing once they ended", async () => {
    const options = { cwd: os.tmpdir(), env: process.env, timeoutMs: 60_000, maxOutputBytes: 1024 };
    // The shell prints once its background child started, so both are running when killed.
    const running = runCommand("sleep 30 & echo started; wait", options);
    let killed = 0;
    const deadline = Date.now() + 10_000;
    while (killed === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      killed = killRunningCommands();
    }
    expect(killed).toBe(1);
    const result = await running;
    expect(result.signal).toBe("SIGKILL");
    expect(killRunningCommands()).toBe(0);
  });
});
