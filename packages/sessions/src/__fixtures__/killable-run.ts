// A CLI-like process for the SIGKILL test: it runs an agent with real tools, a file
// session store and checkpoints, prints `SESSION <id>` when the run starts and `READY`
// once it is stuck in step 3 (inside a tool, or mid-way through a slow model reply),
// and waits there to be killed.
//
// Usage: node --import tsx killable-run.ts <workspace> <sessions-dir> <tool|stream>
import { Agent, defineTool } from "@gemma-coder/core";
import { createScriptedModel, type ScriptedReply, toolCallText } from "@gemma-coder/core/testing";
import { createTools } from "@gemma-coder/tools";
import { z } from "zod";
import { createCheckpointer } from "../checkpoint/workspace-checkpointer.js";
import { FileSessionStore } from "../store/file-session-store.js";

const [workspace, dir, mode] = process.argv.slice(2);
if (!workspace || !dir || (mode !== "tool" && mode !== "stream")) {
  process.stderr.write("usage: killable-run.ts <workspace> <sessions-dir> <tool|stream>\n");
  process.exit(2);
}

const waitHere = defineTool({
  name: "wait_here",
  description: "Wait until killed.",
  inputSchema: z.object({}),
  readOnly: true,
  execute: () => {
    process.stdout.write("READY\n");
    // A pending timer keeps the process alive until it is killed.
    return new Promise<string>(() => setInterval(() => {}, 60_000));
  },
});

const stuck: ScriptedReply =
  mode === "tool"
    ? { text: toolCallText("wait_here") }
    : { text: "Let me think about this for a very long while. ".repeat(50), chunkSize: 1, delayMs: 20 };

const agent = new Agent({
  provider: createScriptedModel([
    toolCallText("write_file", { path: "notes.txt", content: "one\n" }),
    toolCallText("edit_file", { path: "notes.txt", old: "one", new: "two" }),
    stuck,
  ]),
  tools: [...createTools({ root: workspace }), waitHere],
  rules: false,
  workspace,
  session: new FileSessionStore({ dir }),
  checkpointer: createCheckpointer({ workspace, dir }),
});
agent.on("run-start", (event) => process.stdout.write(`SESSION ${event.sessionId} ${event.runId}\n`));
let announced = false;
agent.on("text-delta", (event) => {
  if (mode === "stream" && event.step === 3 && !announced) {
    announced = true;
    process.stdout.write("READY\n");
  }
});
await agent.run("Write notes.txt, then fix it.");
process.stdout.write("FINISHED\n");
