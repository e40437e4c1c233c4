// End to end through the real bin: what small models emit in the field is read when it is an
// intended call, never run when it is not (a call mused about in an unclosed thinking
// channel, a call shape quoted in prose), and a spiral is cut while it streams.
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { missingBuilds, ollama, useCliHarness } from "./__fixtures__/cli-harness.js";
import { call } from "./__fixtures__/model-server.mjs";

const cli = useCliHarness();
const { run, server } = cli;
const Q = '<|"|>';

describe.skipIf(missingBuilds.length > 0)("field shapes through the real bin", () => {
  it("runs a drifted Gemma call but never a mused or quoted one", async () => {
    const model = await server({
      replies: [
        // Written inside a thinking channel that stays open, then thought past: musing.
        `<|channel>thought\nI could run <|tool_call>call:write_file{path:${Q}pwned.txt${Q},content:${Q}x${Q}}<tool_call|> but first I should read calc.py and then`,
        // The call syntax quoted in prose.
        `Here is the syntax: call:write_file{path:${Q}pwned.txt${Q},content:${Q}x${Q}}`,
        // A real call in a drifted spelling: key=value in parentheses, closed by end of turn.
        `<|tool_call>call:read_file(path=${Q}calc.py${Q})<turn|>`,
        call("done", { summary: "read it" }),
      ],
    });
    const result = await run([...ollama(model.url), "--yes", "look at calc.py"]);
    expect(result.code).toBe(0);
    expect(existsSync(path.join(cli.repo, "pwned.txt"))).toBe(false);
    expect(result.stdout).toContain("! unusable reply (1)");
    expect(result.stdout).toContain("! unusable reply (2)");
    expect(result.stdout).toContain("→ read_file calc.py");
    expect(result.stdout).toMatch(/✓ done · 4 steps/);
  });

  it("cuts a spiralling reply mid-stream and carries on after the nudge", async () => {
    const spiral = `Let me look.\n${"I will read calc.py again to be sure.\n".repeat(200)}`;
    const model = await server({
      replies: [
        // After its text the reply hangs: only cutting it mid-stream lets the run go on.
        { text: spiral, hang: true },
        call("done", { summary: "stopped looping" }),
      ],
    });
    const result = await run([...ollama(model.url), "--yes", "look at calc.py"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("! unusable reply (1): Your reply was cut");
    expect(result.stdout).toMatch(/✓ done · 2 steps/);
    expect(model.abortedChats).toBe(1);
    const chats = model.requests.filter((request) => request.path === "/api/chat");
    expect(JSON.stringify(chats[1]?.body)).toContain("Your reply was cut");
  });
});
