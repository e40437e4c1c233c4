import { expect, it } from "vitest";
import { main } from "./main.js";

it("runs the custom tool through the agent and finishes", async () => {
  const lines: string[] = [];
  const result = await main((line) => lines.push(line));
  expect(result).toMatchObject({ status: "done", summary: "The text has 4 words.", steps: 2 });
  expect(lines).toContain('← {"ok":true,"value":4}');
});
