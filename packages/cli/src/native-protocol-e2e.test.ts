// End to end through the real bin: `--protocol native` offers the tools through Ollama's
// tool API, runs the model's native call, answers it as a `tool` message, and refuses
// a bad one with the same feedback as the text protocol; and under the text protocol a
// call whose content holds "</tool>" survives the server's stop sequence.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { missingBuilds, ollama, useCliHarness } from "./__fixtures__/cli-harness.js";
import { call } from "./__fixtures__/model-server.mjs";

const cli = useCliHarness();
const { run, server } = cli;

type Chat = {
  messages?: Array<Record<string, unknown>>;
  tools?: unknown[];
  options?: { stop?: unknown };
};

describe.skipIf(missingBuilds.length > 0)("--protocol native through the real bin", () => {
  it("runs native calls, answers them as tool messages, and gives a bad one feedback", async () => {
    const model = await server({
      replies: [
        { toolCalls: [{ name: "write_file", arguments: { path: "notes.md" } }] },
        { toolCalls: [{ name: "list_everything", arguments: {} }] },
        {
          text: "Writing it.",
          toolCalls: [
            { name: "write_file", arguments: { path: "notes.md", content: "end: </tool>\n" } },
          ],
        },
        { toolCalls: [{ name: "done", arguments: { summary: "wrote notes" } }] },
      ],
    });
    const result = await run([
      ...ollama(model.url),
      "--yes",
      "--protocol",
      "native",
      "write notes",
    ]);
    expect(result.code).toBe(0);
    expect(readFileSync(path.join(cli.repo, "notes.md"), "utf8")).toBe("end: </tool>\n");
    expect(result.stdout).toContain("! unusable reply (1)");
    expect(result.stdout).toContain("! unusable reply (2)");
    expect(result.stdout).toMatch(/✓ done · 4 steps/);
    const chats = model.requests
      .filter((request) => request.path === "/api/chat")
      .map((request) => request.body as Chat);
    const names = (chats[0]?.tools ?? []).map(
      (tool) => (tool as { function: { name: string } }).function.name,
    );
    expect(names).toContain("write_file");
    expect(names).toContain("done");
    expect(chats[0]?.options?.stop).toBeUndefined();
    const second = chats[1]?.messages ?? [];
    expect(second.at(-2)?.tool_calls).toEqual([
      { function: { name: "write_file", arguments: { path: "notes.md" } } },
    ]);
    expect(second.at(-1)).toMatchObject({ role: "tool", tool_name: "write_file" });
    expect(String(second.at(-1)?.content)).toMatch(/"ok":false.*content/);
    const third = chats[2]?.messages ?? [];
    expect(String(third.at(-1)?.content)).toContain(
      'Unknown tool \\"list_everything\\". Available tools:',
    );
  });

  it("writes a file whose content holds </tool> under the text protocol (stop sequence cut)", async () => {
    const write = call("write_file", { path: "protocol.md", content: "Calls end with </tool>.\n" });
    // The scripted server cuts each reply at the request's stop sequences, as a real one does.
    const model = await server({
      replies: [write, write, call("done", { summary: "documented" })],
    });
    const result = await run([...ollama(model.url), "--yes", "document the protocol"]);
    expect(result.code).toBe(0);
    expect(readFileSync(path.join(cli.repo, "protocol.md"), "utf8")).toBe(
      "Calls end with </tool>.\n",
    );
    expect(result.stdout).not.toContain("unusable reply");
    const stops = model.requests
      .filter((request) => request.path === "/api/chat")
      .map((request) => (request.body as Chat).options?.stop);
    expect(stops).toEqual([["</tool>"], undefined, undefined]);
  });

  it("rejects an unknown protocol as a usage error", async () => {
    const result = await run(["--protocol", "xml", "go"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--protocol takes text, native, json");
  });
});
