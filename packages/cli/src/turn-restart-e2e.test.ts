// A reply whose stream breaks mid-way, through the real bin: the turn is asked again, and
// the plain view and `--json` show one step with a restart in it, not two steps.
import { describe, expect, it } from "vitest";
import { missingBuilds, ollama, useCliHarness } from "./__fixtures__/cli-harness.js";
import { call } from "./__fixtures__/model-server.mjs";

const cli = useCliHarness();
const { run, server, read } = cli;

/** A first reply that drops the connection after two lines, then a good one, then done. */
const script = () => [
  { text: "WITHDRAWN draft: nothing to fix here.", chunkSize: 10, breakAfter: 2 },
  `Fixing it.\n${call("edit_file", { path: "calc.py", old: "a - b", new: "a + b" })}`,
  call("done", { summary: "add() adds now." }),
];

describe.skipIf(missingBuilds.length > 0)("a broken reply asked again (the real bin)", () => {
  it("--json: one turn-start per step, the restart inside step 1, and the run done", async () => {
    const model = await server({ replies: script() });
    const result = await run([...ollama(model.url), "--yes", "--json", "fix add"]);
    expect(result.code).toBe(0);
    const events = result.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; step?: number; attempt?: number });
    const steps = events
      .filter((e) => ["turn-start", "turn-restart", "turn-end"].includes(e.type))
      .map((e) => `${e.type} ${e.step}`);
    expect(steps).toEqual([
      "turn-start 1",
      "turn-restart 1",
      "turn-end 1",
      "turn-start 2",
      "turn-end 2",
    ]);
    expect(events.find((e) => e.type === "turn-restart")).toMatchObject({ attempt: 1 });
    expect(read("calc.py")).toContain("a + b");
  });

  it("plain output: the withdrawn text never shows, a restart line does, and 2 steps", async () => {
    const model = await server({ replies: script() });
    const result = await run([...ollama(model.url), "--yes", "fix add"]);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("WITHDRAWN");
    expect(result.stdout).toMatch(
      /↺ the reply broke off \(.*\); its text is withdrawn and the turn is asked again \(retry 1 of 2\)\nFixing it\.\n→ edit_file calc\.py/,
    );
    expect(result.stdout).toMatch(/✓ done · 2 steps/);
  });
});
