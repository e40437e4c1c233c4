import { describe, expect, it } from "vitest";
import { createScriptedModel, toolCallText } from "../testing/scripted-model.js";
import { Agent } from "./agent.js";
import { formatLimit } from "./format-limit.js";

// What a user reads when a run stops at a limit or the model is nudged: whole sentences,
// singular where it is one, durations as the user typed them.
describe("run messages", () => {
  it("says 1 step, not 1 steps", async () => {
    const model = createScriptedModel([toolCallText("nope"), "no call", "still none"]);
    const result = await new Agent({ provider: model, rules: false, maxSteps: 1 }).run("t");
    expect(result.message).toBe("The run reached its limit of 1 step without calling done.");
  });

  it("gives the time limit in the unit the user would write", async () => {
    const model = createScriptedModel([
      { text: toolCallText("done", { summary: "x" }), delayMs: 60_000 },
    ]);
    const result = await new Agent({ provider: model, rules: false, timeoutMs: 1000 }).run("t");
    expect(result.message).toContain("its time limit of 1s");
    expect([2000, 90_000, 120_000, 7_200_000, 1500].map(formatLimit)).toEqual([
      "2s",
      "90s",
      "2m",
      "2h",
      "1500 ms",
    ]);
  });

  it("nudges with a complete sentence before the example", async () => {
    const model = createScriptedModel(["no call here", toolCallText("done", { summary: "x" })]);
    await new Agent({ provider: model, rules: false }).run("t");
    const nudge = model.requests[1]?.messages.at(-1)?.content ?? "";
    expect(nudge).toContain("Reply with exactly one call in this form:\n<tool>");
  });
});
