// The runner's own tests, against a tiny throw-away extension: a passing tests file gives
// exit code 0, a failing one 1, one that never ends is stopped by the suite timeout, Ctrl-C
// ends the run, and in every case code-server and Chromium are gone afterwards.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureCodeServer } from "./install-code-server.mjs";
import { payloadUrl } from "./payload-url.mjs";
import { checkPrerequisites } from "./prerequisites.mjs";
import { groupAlive } from "./processes.mjs";
import { runSuite } from "./run-suite.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const extensionPath = path.join(here, "fixtures", "tiny-extension");
const testsFile = (name: string) => path.join(extensionPath, "tests", `${name}.js`);
let artifacts = "";
let codeServerBin = "";

beforeAll(async () => {
  artifacts = mkdtempSync(path.join(os.tmpdir(), "vscode-test-runner-"));
  codeServerBin = await ensureCodeServer();
}, 600_000);
afterAll(() => rmSync(artifacts, { recursive: true, force: true }));

const run = (name: string, timeoutMs?: number) =>
  runSuite(
    { name, extensionPath, testsPath: testsFile(name), ...(timeoutMs ? { timeoutMs } : {}) },
    { codeServerBin, artifactsDir: artifacts, print: () => {} },
  );

const testLog = (name: string) => readFileSync(path.join(artifacts, name, "test.log"), "utf8");

describe("runSuite", () => {
  it("passes a passing tests file, with its log, a clicked notification and a screenshot", async () => {
    const result = await run("pass");
    expect(result.reason).toBeUndefined();
    expect(result.code).toBe(0);
    expect(testLog("pass")).toContain("tiny: all passed");
    expect(existsSync(path.join(artifacts, "pass", "tiny.png"))).toBe(true);
    expect(result.pids).toHaveLength(2);
    for (const pid of result.pids) expect(groupAlive(pid)).toBe(false);
  });

  it("fails a failing tests file with exit code 1", async () => {
    const result = await run("fail");
    expect(result.code).toBe(1);
    expect(result.reason).toBe("tests failed (exit 1)");
    expect(testLog("fail")).toContain("deliberate failure");
    for (const pid of result.pids) expect(groupAlive(pid)).toBe(false);
  });

  it("stops a suite that does not finish in time, with a clear message", async () => {
    const result = await run("hang", 30_000);
    expect(result.code).toBe(1);
    expect(result.reason).toMatch(/suite "hang" did not finish within 30 s/);
    expect(testLog("hang")).toContain("tiny: hanging");
    expect(result.pids).toHaveLength(2);
    for (const pid of result.pids) expect(groupAlive(pid)).toBe(false);
  });

  it("leaves no process running when interrupted with Ctrl-C", async () => {
    const child = spawn(
      process.execPath,
      [path.join(here, "fixtures", "run-one.mjs"), testsFile("hang"), artifacts],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on("close", (code) => resolve(code)),
    );
    const deadline = Date.now() + 240_000;
    while (!output.includes("tiny: hanging")) {
      if (Date.now() > deadline) throw new Error(`the suite did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    const pids = [...output.matchAll(/(?:code-server|chromium) pid (\d+)/g)].map((m) =>
      Number(m[1]),
    );
    expect(pids).toHaveLength(2);
    // SIGKILL is delivered at once but a process takes a moment to be gone and reaped.
    const gone = Date.now() + 15_000;
    while (pids.some(groupAlive) && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
    for (const pid of pids) expect(groupAlive(pid), `process group ${pid}`).toBe(false);
    const scratch = /workspace (\S+)\/workspace\)/.exec(output)?.[1];
    expect(scratch).toBeDefined();
    expect(existsSync(scratch as string), "the suite's scratch folder").toBe(false);
  });
});

describe("payloadUrl", () => {
  it("points the workbench at the folder, the extension and the tests through vscode-remote", () => {
    const url = new URL(
      payloadUrl("http://127.0.0.1:4321", {
        workspace: "/w s",
        extensionPath: "/ext",
        testsPath: "/ext/t.js",
      }),
    );
    expect(url.searchParams.get("folder")).toBe("/w s");
    expect(JSON.parse(url.searchParams.get("payload") ?? "")).toEqual([
      ["extensionDevelopmentPath", "vscode-remote://127.0.0.1:4321/ext"],
      ["extensionTestsPath", "vscode-remote://127.0.0.1:4321/ext/t.js"],
    ]);
  });
});

describe("checkPrerequisites", () => {
  it("names the apt packages when Chromium or ripgrep is missing", () => {
    expect(() =>
      checkPrerequisites({ chromium: "/nonexistent/chromium", rg: "/nonexistent/rg" }),
    ).toThrow(
      /chromium \(\/nonexistent\/chromium\) and rg \(\/nonexistent\/rg\) not found.*apt-get install -y chromium libkrb5-dev ripgrep/,
    );
  });
});
