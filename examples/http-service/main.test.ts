import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScriptedModel } from "@gemma-coder/core/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createAgentService, SCRIPT } from "./main.js";

const root = mkdtempSync(join(tmpdir(), "gc-http-test-"));
writeFileSync(join(root, "hello.txt"), "small models can code too\n");
const server = createAgentService({ root, provider: () => createScriptedModel(SCRIPT) });
let url = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

it("streams the run's events as NDJSON, ending with done", async () => {
  const response = await fetch(`${url}/runs`, {
    method: "POST",
    body: JSON.stringify({ task: "count words" }),
  });
  expect(response.headers.get("content-type")).toBe("application/x-ndjson");
  const events = (await response.text())
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  expect(events[0].type).toBe("run-start");
  const call = events.find((e) => e.type === "tool-result" && e.name === "read_file");
  expect(call.result.value).toContain("small models can code too");
  expect(events.at(-1)).toMatchObject({
    type: "done",
    result: { status: "done", summary: "hello.txt has 5 words." },
  });
});

it("rejects a request without a task", async () => {
  const response = await fetch(`${url}/runs`, { method: "POST", body: "{}" });
  expect(response.status).toBe(400);
});
