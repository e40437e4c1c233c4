import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { call, type ModelServer, startModelServer } from "./__fixtures__/model-server.mjs";
import { HELP_TEXT } from "./help.js";
import { main } from "./main.js";

let dir: string;
const servers: ModelServer[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "gemma-coder-main-"));
  writeFileSync(path.join(dir, "calc.py"), "def add(a, b):\n    return a - b\n");
});
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function sink() {
  let text = "";
  return {
    isTTY: false,
    write: (chunk: string) => {
      text += chunk;
      return true;
    },
    get text() {
      return text;
    },
  };
}

function io(extra: { signal?: AbortSignal } = {}) {
  const stdout = sink();
  const stderr = sink();
  return {
    stdout,
    stderr,
    options: {
      stdout,
      stderr,
      cwd: dir,
      env: {
        XDG_CONFIG_HOME: path.join(dir, "xdg"),
        GEMMA_CODER_CACHE: path.join(dir, "models"),
        NO_COLOR: "1",
      },
      ...extra,
    },
  };
}

describe("main (called from code)", () => {
  it("prints the help and the version", async () => {
    const help = io();
    expect(await main(["--help"], help.options)).toBe(0);
    expect(help.stdout.text).toBe(HELP_TEXT);
    const version = io();
    expect(await main(["-v"], version.options)).toBe(0);
    const pkg = JSON.parse(
      readFileSync(
        path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "package.json"),
        "utf8",
      ),
    ) as { version: string };
    expect(version.stdout.text).toBe(`${pkg.version}\n`);
  });

  it("returns 2 for a usage error and writes it to its stderr", async () => {
    const run = io();
    expect(await main(["--nope"], run.options)).toBe(2);
    expect(run.stderr.text).toContain("Unknown option --nope.");
    expect(run.stdout.text).toBe("");
  });

  it("returns 2 for a --cwd that does not exist", async () => {
    const run = io();
    expect(await main(["--cwd", "missing", "x"], run.options)).toBe(2);
    expect(run.stderr.text).toContain(`${path.join(dir, "missing")} does not exist`);
  });

  it("runs a task with its own streams, environment and folder", async () => {
    const model = await startModelServer({
      replies: [
        call("edit_file", { path: "calc.py", old: "a - b", new: "a + b" }),
        call("done", { summary: "fixed" }),
      ],
    });
    servers.push(model);
    const run = io();
    expect(
      await main(["--provider", "ollama", "--base-url", model.url, "--yes", "fix"], run.options),
    ).toBe(0);
    expect(readFileSync(path.join(dir, "calc.py"), "utf8")).toContain("a + b");
    expect(run.stdout.text).toContain("✓ done");
  });

  it("stops with 130 when its signal aborts, as a first Ctrl-C would", async () => {
    const model = await startModelServer({ replies: [{ text: "thinking", hang: true }] });
    servers.push(model);
    const controller = new AbortController();
    const run = io({ signal: controller.signal });
    const exit = main(
      ["--provider", "ollama", "--base-url", model.url, "--yes", "think"],
      run.options,
    );
    while (model.openChats === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    expect(await exit).toBe(130);
    expect(run.stdout.text).toContain("■ interrupted");
    // The caller stopped it, not a key: no advice to press Ctrl-C again.
    expect(run.stderr.text).not.toContain("Ctrl-C");
    while (model.openChats > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(model.abortedChats).toBe(1);
  });

  it("runs the demo without a model, then undoes its fix (a folder outside git)", async () => {
    const demoDir = path.join(dir, "demo");
    const demo = io();
    expect(await main(["demo", demoDir], demo.options)).toBe(0);
    expect(demo.stderr.text).toContain("no model is running");
    expect(demo.stdout.text).toContain("✓ done · 5 steps");
    const fixed = readFileSync(path.join(demoDir, "src", "paginate.js"), "utf8");
    expect(fixed).toContain("(page - 1) * size");
    const undo = io();
    expect(await main(["undo", "-C", demoDir], undo.options)).toBe(0);
    expect(undo.stdout.text).toContain("restored  src/paginate.js");
    // Outside git, what the shell commands did cannot be checkpointed, and undo says so.
    expect(undo.stdout.text).toContain("Note: run_shell");
    expect(readFileSync(path.join(demoDir, "src", "paginate.js"), "utf8")).toContain(
      "const start = page * size;",
    );
  });
});
