// SIGTERM and SIGHUP through the real bin while a command runs: the command's whole
// process group must be gone afterwards, and the exit code says which signal stopped it.
import { describe, expect, it } from "vitest";
import {
  missingBuilds,
  ollama,
  processesMatching,
  until,
  useCliHarness,
} from "./__fixtures__/cli-harness.js";
import { call } from "./__fixtures__/model-server.mjs";

const cli = useCliHarness();
const { start, server } = cli;

/** A `sleep` with a duration unique to this test, so its processes can be found. */
function uniqueSleep(tag: number): string {
  return `sleep 400.${tag}${String(process.pid % 1000).padStart(3, "0")}${Date.now() % 1000}`;
}

describe.skipIf(missingBuilds.length > 0 || process.platform === "win32")(
  "signals (the real bin)",
  () => {
    for (const [signal, code, tag] of [
      ["SIGTERM", 143, 1],
      ["SIGHUP", 129, 2],
    ] as const) {
      it(`${signal} during a command kills its process group and exits ${code}`, async () => {
        const marker = uniqueSleep(tag);
        const model = await server({
          replies: [call("run_shell", { command: `${marker} & ${marker}; wait` })],
        });
        const run = start([...ollama(model.url), "--yes", "work"]);
        await until(() => processesMatching(marker).length >= 2, "the command to start");
        run.child.kill(signal);
        const result = await run.done;
        expect(result.code).toBe(code);
        await until(() => processesMatching(marker).length === 0, "the command to be killed", 3000);
      });
    }

    it("a second SIGTERM exits at once and still kills the command", async () => {
      const marker = uniqueSleep(3);
      const model = await server({
        replies: [call("run_shell", { command: `${marker} & ${marker}; wait` })],
      });
      const run = start([...ollama(model.url), "--yes", "work"]);
      await until(() => processesMatching(marker).length >= 2, "the command to start");
      run.child.kill("SIGTERM");
      run.child.kill("SIGTERM");
      const result = await run.done;
      expect(result.code).toBe(143);
      await until(() => processesMatching(marker).length === 0, "the command to be killed", 3000);
    });
  },
);
