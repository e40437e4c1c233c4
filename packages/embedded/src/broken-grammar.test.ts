import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyModel } from "./__fixtures__/tiny-model.js";

// llama.cpp prints a grammar's parse errors itself, on the process's stderr. These tests run
// the engine in a child process, so that output is captured and checked here, and a passing
// test run does not show alarming errors that were expected.

const fixture = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "__fixtures__",
  "broken-grammars.ts",
);

let model: Awaited<ReturnType<typeof tinyModel>>;
beforeAll(async () => {
  model = await tinyModel(5);
});
afterAll(async () => {
  await model?.cleanup();
});

function runFixture(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--conditions=@gemma-coder/source", fixture, model.file],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("broken GBNF grammars (in a child process)", () => {
  it("llama.cpp refuses them, the provider says so with a typed error and keeps working", async () => {
    const { code, stdout, stderr } = await runFixture();
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
    expect(result.engineRejects).toEqual([true, true, true]);
    expect(result.refused.code).toBe("invalid-argument");
    expect(result.refused.message).toMatch(/GBNF grammar could not be compiled/);
    expect(result.finish).toBe("length");
    // What llama.cpp printed is the parser's own report of each broken grammar, and only that.
    expect(stderr).toContain("error parsing grammar: unexpected end of input");
    expect(stderr).toContain("Undefined rule identifier 'missing-rule'");
    expect(stderr).not.toMatch(/gguf_init|failed to load model/);
  }, 120_000);
});
