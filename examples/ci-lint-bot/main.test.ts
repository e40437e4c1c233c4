import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createScriptedModel } from "@gemma-coder/core/testing";
import { expect, it } from "vitest";
import { fixLint, makeDemoRepo, SCRIPT } from "./main.js";

it("fixes the lint error, denies other commands and leaves a clean lint run", async () => {
  const root = makeDemoRepo();
  try {
    const lines: string[] = [];
    const result = await fixLint({
      root,
      lintCommand: "node lint.mjs",
      provider: createScriptedModel(SCRIPT),
      log: (l) => lines.push(l),
    });
    expect(result).toMatchObject({ status: "done", steps: 5 });
    expect(readFileSync(join(root, "index.js"), "utf8")).toContain('const greeting = "hello";');
    expect(lines.some((l) => l.includes("only the lint command may run"))).toBe(true);
    // The lint command now passes (it throws on a non-zero exit).
    execFileSync(process.execPath, ["lint.mjs"], { cwd: root });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
