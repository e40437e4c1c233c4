import { describe, expect, it } from "vitest";
import { SPIRAL_NUDGE } from "../protocol/spiral-detector.js";
import { createScriptedModel, toolCallText } from "../testing/scripted-model.js";
import { Agent } from "./agent.js";

const spiral = `Let me look.\n${"I will check the tests again now.\n".repeat(400)}`;

describe("Agent spiral cut", () => {
  it("stops reading a spiral early and counts it like an invalid reply", async () => {
    const reply = { text: spiral, chunkSize: 4 };
    const model = createScriptedModel([reply, reply, reply]);
    const agent = new Agent({ provider: model, rules: false, maxInvalidReplies: 3 });
    const feedback: string[] = [];
    agent.on("invalid-reply", (e) => feedback.push(e.feedback));
    const result = await agent.run("Fix the tests");

    expect(result).toMatchObject({ status: "failed", stopReason: "invalid-replies" });
    expect(feedback).toEqual([SPIRAL_NUDGE, SPIRAL_NUDGE, SPIRAL_NUDGE]);
    // Each spiral was left after a few hundred characters, not read to its end.
    expect(model.deltasRead).toHaveLength(3);
    for (const read of model.deltasRead) expect(read * 4).toBeLessThan(1000);
  });

  it("recovers when the model follows the nudge", async () => {
    const model = createScriptedModel([spiral, toolCallText("done", { summary: "ok" })]);
    const agent = new Agent({ provider: model, rules: false });
    const result = await agent.run("Fix the tests");
    expect(result).toMatchObject({ status: "done", summary: "ok" });
    const history = model.requests[1]?.messages ?? [];
    // The history keeps what came before the loop (the loop's first copy starts at ".\n").
    expect(history.at(-2)).toEqual({ role: "assistant", content: "Let me look" });
    expect(history.at(-1)).toEqual({ role: "user", content: SPIRAL_NUDGE });
  });
});
