import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Agent } from "@gemma-coder/core";
import { recordedToolCalls } from "@gemma-coder/core/testing";
import { createTools } from "@gemma-coder/tools";
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_FILES, DEMO_TRANSCRIPT } from "./demo-assets.js";
import { type Demo, prepareDemo } from "./prepare-demo.js";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const demos: Demo[] = [];
afterEach(async () => {
  for (const demo of demos.splice(0)) await demo.cleanup();
});

function nodeTest(dir: string) {
  return spawnSync(process.execPath, ["--test"], { cwd: dir, encoding: "utf8" });
}

async function tree(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await tree(path.join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

describe("prepareDemo", () => {
  it("replays the recorded session on a scratch copy: the real tools fix the real bug", async () => {
    const demo = await prepareDemo(undefined, { chunkSize: 1000, delayMs: 0 });
    demos.push(demo);
    expect(demo.label).toMatch(/recorded session replayed.*No model is running/);
    expect(nodeTest(demo.dir).status).not.toBe(0);

    const agent = new Agent({
      provider: demo.provider,
      tools: createTools({ root: demo.dir }),
      workspace: demo.dir,
    });
    const calls: { step: number; name: string; args: Record<string, unknown> }[] = [];
    agent.on("tool-call", ({ step, name, args }) => calls.push({ step, name, args }));
    const failures: string[] = [];
    agent.on("tool-result", (e) => {
      if (!e.result.ok) failures.push(e.result.error);
    });
    const result = await agent.run(demo.task);

    expect(failures).toEqual([]);
    expect(result.status).toBe("done");
    expect(calls).toEqual(recordedToolCalls(demo.records));
    expect(calls.map((c) => c.name)).toEqual([
      "run_shell",
      "read_file",
      "edit_file",
      "run_shell",
      "done",
    ]);
    expect(nodeTest(demo.dir).status).toBe(0);
    expect(await fs.readFile(path.join(demo.dir, "src/paginate.js"), "utf8")).toContain(
      "const start = (page - 1) * size;",
    );
  });

  it("copies into an empty target folder and refuses a non-empty one", async () => {
    const base = await fs.mkdtemp(path.join(os.tmpdir(), "gemma-demo-test-"));
    try {
      const target = path.join(base, "new");
      const demo = await prepareDemo(target);
      expect(demo.dir).toBe(target);
      expect(await tree(target)).toEqual(Object.keys(DEMO_FILES).sort());
      await demo.cleanup();
      expect(await tree(target)).toHaveLength(4);
      await expect(prepareDemo(target)).rejects.toThrow(/needs an empty folder/);
    } finally {
      await fs.rm(base, { recursive: true, force: true });
    }
  });

  it("ships assets in sync with demo/ (regenerate with pnpm build:demo)", async () => {
    const repo = path.join(packageDir, "demo", "repo");
    const files: Record<string, string> = {};
    for (const rel of await tree(repo))
      files[rel] = await fs.readFile(path.join(repo, rel), "utf8");
    expect(DEMO_FILES).toEqual(files);
    expect(DEMO_TRANSCRIPT).toBe(
      await fs.readFile(path.join(packageDir, "demo", "transcript.jsonl"), "utf8"),
    );
  });
});
