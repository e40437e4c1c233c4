import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { Checkpointer } from "../session/checkpointer.js";
import { createScriptedModel, toolCallText } from "../testing/scripted-model.js";
import { defineTool } from "../tools/define-tool.js";
import { Agent } from "./agent.js";
import type { ApprovalRequest } from "./approve-call.js";

const done = () => toolCallText("done", { summary: "finished" });

function fixture() {
  const order: string[] = [];
  const run = defineTool({
    name: "run",
    description: "Runs a command.",
    inputSchema: z.object({ command: z.string() }),
    execute: ({ command }) => {
      order.push(`execute ${command}`);
      return "ran";
    },
  });
  const look = defineTool({
    name: "look",
    description: "Reads.",
    inputSchema: z.object({ path: z.string() }),
    readOnly: true,
    execute: () => {
      order.push("look");
      return "seen";
    },
  });
  const checkpointer: Checkpointer = {
    beforeChange: vi.fn(async () => {
      order.push("checkpoint");
    }),
    afterChange: vi.fn(async () => {
      order.push("after");
    }),
    undo: vi.fn(),
  };
  return { order, run, look, checkpointer };
}

describe("the approve hook of Agent", () => {
  it("asks before checkpointing, and a denial means no checkpoint and no run", async () => {
    const { order, run, checkpointer } = fixture();
    const model = createScriptedModel([toolCallText("run", { command: "make" }), done()]);
    const asked: ApprovalRequest[] = [];
    const agent = new Agent({
      provider: model,
      tools: [run],
      rules: false,
      checkpointer,
      approve: (request) => {
        asked.push(request);
        order.push("approve");
        return { allow: false, reason: "the user said no" };
      },
    });
    const result = await agent.run("build it");
    expect(result.status).toBe("done");
    expect(asked).toEqual([{ tool: "run", input: { command: "make" } }]);
    expect(checkpointer.beforeChange).not.toHaveBeenCalled();
    expect(checkpointer.afterChange).not.toHaveBeenCalled();
    expect(order).toEqual(["approve"]);
    expect(model.requests[1]?.messages.at(-1)?.content).toContain(
      "run was denied by the user: the user said no. Do not retry the same call.",
    );
  });

  it("runs approve, then checkpoint, then the tool, when allowed", async () => {
    const { order, run, checkpointer } = fixture();
    const agent = new Agent({
      provider: createScriptedModel([toolCallText("run", { command: "make" }), done()]),
      tools: [run],
      rules: false,
      checkpointer,
      approve: () => {
        order.push("approve");
        return true;
      },
    });
    await agent.run("build it");
    expect(order).toEqual(["approve", "checkpoint", "execute make", "after"]);
  });

  it("never asks about read-only tools or done", async () => {
    const { look } = fixture();
    const approve = vi.fn(() => false);
    const agent = new Agent({
      provider: createScriptedModel([toolCallText("look", { path: "a" }), done()]),
      tools: [look],
      rules: false,
      approve,
    });
    expect((await agent.run("look")).status).toBe("done");
    expect(approve).not.toHaveBeenCalled();
  });

  it("treats a throwing hook as a denial the model is told about", async () => {
    const { order, run, checkpointer } = fixture();
    const model = createScriptedModel([toolCallText("run", { command: "make" }), done()]);
    const agent = new Agent({
      provider: model,
      tools: [run],
      rules: false,
      checkpointer,
      approve: () => {
        throw new Error("prompt broke");
      },
    });
    await agent.run("build it");
    expect(order).toEqual([]);
    expect(model.requests[1]?.messages.at(-1)?.content).toContain(
      "run was not run: the approval check failed.",
    );
  });

  it("aborts while waiting for an answer without running anything", async () => {
    const { order, run, checkpointer } = fixture();
    const controller = new AbortController();
    const agent = new Agent({
      provider: createScriptedModel([toolCallText("run", { command: "make" }), done()]),
      tools: [run],
      rules: false,
      checkpointer,
      approve: () => {
        controller.abort();
        return new Promise<boolean>(() => {});
      },
    });
    const result = await agent.run("build it", { signal: controller.signal });
    expect(result.status).toBe("aborted");
    expect(order).toEqual([]);
  });
});
