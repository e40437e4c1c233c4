// What the real bin shows while nothing seems to happen: a model that has not sent its first
// token yet, and the in-process engine loading its model. The tests wait for the words to
// appear; they never measure how long that took.
import path from "node:path";
import { writeTinyGguf } from "@gemma-coder/embedded/testing";
import { describe, expect, it } from "vitest";
import {
  hasPython,
  missingBuilds,
  ollama,
  type StartedCli,
  until,
  useCliHarness,
} from "./__fixtures__/cli-harness.js";

const cli = useCliHarness();
const { start, server } = cli;

/** Runs the bin on a real terminal (python3's pty module). */
const onTerminal = {
  env: { TERM: "xterm" },
  command: [
    "python3",
    "-c",
    "import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))",
    process.execPath,
  ],
};

/** Waits for `text` in what the bin printed, then interrupts it. */
async function seeThenStop(started: StartedCli, text: RegExp, what: string) {
  await until(() => text.test(started.output()), what, 30_000);
  started.child.kill("SIGINT");
  return started.done;
}

describe.skipIf(missingBuilds.length > 0)("progress before the first token (the real bin)", () => {
  it("piped, says on stderr that it is waiting for a model that has not answered yet", async () => {
    const model = await server({ replies: [{ text: "", hang: true }] });
    const started = start([...ollama(model.url), "--yes", "think"]);
    const result = await seeThenStop(
      started,
      /… waiting for the model \(\d+\.\ds\)\n/,
      "the waiting line",
    );
    expect(result.stdout).not.toContain("waiting for the model");
    expect(result.stderr).toMatch(/… waiting for the model \(\d+\.\ds\)\n/);
  }, 60_000);

  it.skipIf(!hasPython)("on a terminal, the spinner says it is waiting for the model", async () => {
    const model = await server({ replies: [{ text: "", hang: true }] });
    const started = start([...ollama(model.url), "--yes", "think"], onTerminal);
    await seeThenStop(started, /waiting for the model \d+(ms|\.\ds)/, "the spinner");
  });

  it.skipIf(!hasPython)(
    "on a terminal, the spinner shows the in-process model loading with a percentage",
    async () => {
      const file = await writeTinyGguf(path.join(cli.root, "tiny.gguf"), { seed: 3 });
      const started = start(
        ["--provider", "embedded", "--model", file, "--yes", "--max-steps", "1", "think"],
        onTerminal,
      );
      await seeThenStop(started, /loading the model into memory \d+%/, "the load progress");
    },
    60_000,
  );
});
