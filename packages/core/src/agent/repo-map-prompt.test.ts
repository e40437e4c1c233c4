import { describe, expect, it } from "vitest";
import { createScriptedModel, toolCallText } from "../testing/scripted-model.js";
import { Agent } from "./agent.js";
import type { RepoMapRequest, RepoMapSource } from "./repo-map-prompt.js";

const done = () => toolCallText("done", { summary: "ok" });

function fakeMap(
  text: (request: RepoMapRequest) => string,
): RepoMapSource & { asked: RepoMapRequest[] } {
  const asked: RepoMapRequest[] = [];
  return {
    asked,
    render: async (request) => {
      asked.push(request);
      return { text: text(request) };
    },
  };
}

describe("Agent with a repository map", () => {
  it("puts the map before the task in the first user message and keeps the system prompt as it was", async () => {
    const plain = createScriptedModel([done()]);
    await new Agent({ provider: plain, rules: false, contextWindow: 8192 }).run("rename parse");
    const mapped = createScriptedModel([toolCallText("done", { summary: "x" }), done()]);
    const map = fakeMap((r) => `src/app.py:\n3: def parse(text):  # for ${r.task}`);
    const agent = new Agent({ provider: mapped, rules: false, contextWindow: 8192, repoMap: map });
    await agent.run("rename parse");
    const [system, user] = mapped.requests[0]?.messages ?? [];
    // Byte-identical system prompt with and without a map: the backend's cache holds.
    expect(system).toEqual(plain.requests[0]?.messages[0]);
    expect(user?.content).toBe(
      "<repo_map>\nThe files and definitions most relevant to the task (line: signature):\nsrc/app.py:\n3: def parse(text):  # for rename parse\n</repo_map>\n\nrename parse",
    );
    // About 1,000 tokens at an 8k window.
    expect(map.asked.map((r) => [r.task, r.maxTokens])).toEqual([["rename parse", 1024]]);
  });

  it("keeps the first messages unchanged on later turns, so the prompt prefix is reused", async () => {
    const model = createScriptedModel([toolCallText("done", { summary: "" }), done()]);
    let calls = 0;
    const map = fakeMap(() => `a.py:\n${++calls}: def f():`);
    await new Agent({ provider: model, rules: false, repoMap: map, repoMapTokens: 300 }).run("t");
    expect(model.requests.length).toBe(2);
    expect(model.requests[1]?.messages.slice(0, 2)).toEqual(
      model.requests[0]?.messages.slice(0, 2),
    );
    expect(map.asked).toHaveLength(1);
    expect(map.asked[0]?.maxTokens).toBe(300);
  });

  it("runs with the bare task and a warning when the map fails, and without one when it is empty", async () => {
    const model = createScriptedModel([done()]);
    const failing: RepoMapSource = {
      render: async () => {
        throw new Error("disk on fire");
      },
    };
    const agent = new Agent({ provider: model, rules: false, repoMap: failing });
    const warnings: string[] = [];
    agent.on("warning", (e) => warnings.push(`${e.kind}: ${e.message}`));
    await agent.run("task");
    expect(model.requests[0]?.messages[1]?.content).toBe("task");
    expect(warnings).toEqual(["repo-map: The repository map could not be built: disk on fire"]);
    const empty = createScriptedModel([done()]);
    await new Agent({ provider: empty, rules: false, repoMap: fakeMap(() => "") }).run("task");
    expect(empty.requests[0]?.messages[1]?.content).toBe("task");
  });
});
