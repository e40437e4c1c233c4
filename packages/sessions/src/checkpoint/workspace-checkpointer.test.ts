import { promises as fs } from "node:fs";
import path from "node:path";
import { Agent, type AnyTool, defineTool, GemmaCoderError } from "@gemma-coder/core";
import { createScriptedModel, toolCallText } from "@gemma-coder/core/testing";
import { createTools } from "@gemma-coder/tools";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { makeWorkspace, type TempWorkspace } from "../__fixtures__/workspace.js";
import { FileSessionStore } from "../store/file-session-store.js";
import { formatUndoResult } from "./format-undo.js";
import { touchedPaths } from "./touched-paths.js";
import { CHECKPOINT_REF_PREFIX, createCheckpointer } from "./workspace-checkpointer.js";

const workspaces: TempWorkspace[] = [];
async function workspace(options: { git?: boolean } = {}): Promise<TempWorkspace> {
  const made = await makeWorkspace(options);
  workspaces.push(made);
  return made;
}
afterEach(async () => {
  for (const made of workspaces.splice(0)) await made.cleanup();
});

/** A tool that deletes a file named by `path`: the checkpointer learns the path from it. */
function deleteTool(root: string): AnyTool {
  return defineTool({
    name: "delete_file",
    description: "Delete a file.",
    inputSchema: z.object({ path: z.string() }),
    execute: async ({ path: rel }) => {
      await fs.rm(path.join(root, rel));
      return `deleted ${rel}`;
    },
  });
}

async function runAgent(
  ws: TempWorkspace,
  replies: string[],
  extra: AnyTool[] = [],
  root = ws.root,
) {
  const checkpointer = createCheckpointer({ workspace: root, dir: ws.sessions });
  const agent = new Agent({
    provider: createScriptedModel([...replies, toolCallText("done", { summary: "ok" })]),
    tools: [...createTools({ root }), ...extra],
    rules: false,
    session: new FileSessionStore({ dir: ws.sessions }),
    checkpointer,
  });
  const results: string[] = [];
  agent.on("tool-result", (e) => {
    if (!e.result.ok) results.push(`${e.name}: ${e.result.error}`);
  });
  const result = await agent.run("change things");
  expect(results).toEqual([]);
  expect(result.status).toBe("done");
  return { agent, checkpointer, result };
}

async function mode(file: string): Promise<number> {
  return (await fs.stat(file)).mode & 0o777;
}

describe("undo in a git repository", () => {
  it("restores edits, creations and deletions, keeping the user's own uncommitted work and git state", async () => {
    const ws = await workspace({ git: true });
    await ws.write({
      "src/app.js": "one\ntwo\n",
      "tracked.txt": "keep me\n",
      "docs/readme.md": "# Readme\n",
      "script.sh": "#!/bin/sh\necho hi\n",
    });
    await fs.chmod(path.join(ws.root, "script.sh"), 0o755);
    ws.git("add", ".");
    ws.git("commit", "-q", "-m", "files");
    // The user's own work in progress: unstaged, staged, untracked and ignored.
    await ws.write({
      "src/app.js": "one\ntwo\nuser line\n",
      "docs/readme.md": "# Readme\nstaged\n",
    });
    ws.git("add", "docs/readme.md");
    await ws.write({ "notes.txt": "mine\n", "build/out.js": "built\n" });
    const before = await ws.gitState();

    const { agent, result } = await runAgent(ws, [
      toolCallText("edit_file", { path: "src/app.js", old: "two", new: "TWO" }),
      toolCallText("write_file", { path: "new/dir/created.txt", content: "hello\n" }),
      toolCallText("run_shell", {
        command: "rm tracked.txt && printf 'shell\\n' > shell-made.txt && chmod -x script.sh",
      }),
      toolCallText("edit_file", { path: "notes.txt", old: "mine", new: "theirs" }),
      toolCallText("edit_file", { path: "build/out.js", old: "built", new: "rebuilt" }),
    ]);
    expect(await ws.read("src/app.js")).toBe("one\nTWO\nuser line\n");
    expect(await ws.read("tracked.txt")).toBeUndefined();
    expect(await ws.read("shell-made.txt")).toBe("shell\n");
    expect(ws.git("for-each-ref", "--format=%(refname)", "refs/gemma-coder")).toBe(
      `${CHECKPOINT_REF_PREFIX}${result.runId}\n`,
    );

    const undo = await agent.undo(result.runId);
    expect(undo).toMatchObject({
      runId: result.runId,
      restored: ["build/out.js", "notes.txt", "script.sh", "src/app.js", "tracked.txt"],
      deleted: ["new/dir/created.txt", "shell-made.txt"],
      conflicts: [],
    });
    expect(await ws.read("src/app.js")).toBe("one\ntwo\nuser line\n");
    expect(await ws.read("tracked.txt")).toBe("keep me\n");
    expect(await ws.read("notes.txt")).toBe("mine\n");
    expect(await ws.read("build/out.js")).toBe("built\n");
    expect(await ws.read("shell-made.txt")).toBeUndefined();
    await expect(fs.stat(path.join(ws.root, "new"))).rejects.toThrow();
    expect(await mode(path.join(ws.root, "script.sh"))).toBe(0o755);
    // HEAD, branch, index (byte for byte), staged and unstaged diffs, stash: all as before.
    expect(await ws.gitState()).toEqual(before);
    expect(formatUndoResult(undo)).toMatch(
      /^Undid run .*: restored 5 files, removed 2 files\.\n {2}restored {2}build\/out\.js/,
    );
    await expect(agent.undo(result.runId)).rejects.toThrow(/already undone/);
  });

  it("reports files changed since the run instead of overwriting them, until forced", async () => {
    const ws = await workspace({ git: true });
    await ws.write({ "a.txt": "a\n", "b.txt": "b\n" });
    ws.git("add", ".");
    ws.git("commit", "-q", "-m", "files");
    const { checkpointer, result } = await runAgent(ws, [
      toolCallText("write_file", { path: "a.txt", content: "run a\n" }),
      toolCallText("write_file", { path: "b.txt", content: "run b\n" }),
      toolCallText("write_file", { path: "c.txt", content: "run c\n" }),
    ]);
    await ws.write({ "a.txt": "user after the run\n" });
    await fs.rm(path.join(ws.root, "c.txt"));
    const undo = await checkpointer.undo(result.runId);
    expect(undo.restored).toEqual(["b.txt"]);
    expect(undo.unchanged).toEqual(["c.txt"]);
    expect(undo.conflicts).toEqual([
      { path: "a.txt", reason: expect.stringMatching(/changed after the run by someone else/) },
    ]);
    expect(await ws.read("a.txt")).toBe("user after the run\n");
    expect((await checkpointer.read(result.runId))?.state).toBe("partly-undone");
    expect((await checkpointer.latest())?.runId).toBe(result.runId);

    const forced = await checkpointer.undo(result.runId, { force: true });
    expect(forced).toMatchObject({
      restored: ["a.txt"],
      unchanged: ["b.txt", "c.txt"],
      conflicts: [],
    });
    expect(await ws.read("a.txt")).toBe("a\n");
    expect(await checkpointer.latest()).toBeUndefined();
  });

  it("works for a workspace inside a repository's subfolder, with odd file names", async () => {
    const ws = await workspace({ git: true });
    const root = path.join(ws.root, "packages", "app");
    await ws.write({ "packages/app/ünï cødé.txt": "old\n", "outside.txt": "outside\n" });
    ws.git("add", ".");
    ws.git("commit", "-q", "-m", "files");
    const { checkpointer, result } = await runAgent(
      ws,
      [
        toolCallText("write_file", { path: "ünï cødé.txt", content: "new\n" }),
        toolCallText("run_shell", { command: "printf x > 'made by shell.txt'" }),
      ],
      [],
      root,
    );
    const manifest = await checkpointer.read(result.runId);
    expect(Object.keys(manifest?.files ?? {}).sort()).toEqual([
      "made by shell.txt",
      "ünï cødé.txt",
    ]);
    const undo = await checkpointer.undo(result.runId);
    expect(undo).toMatchObject({ restored: ["ünï cødé.txt"], deleted: ["made by shell.txt"] });
    expect(await ws.read("packages/app/ünï cødé.txt")).toBe("old\n");
    expect(await ws.read("outside.txt")).toBe("outside\n");
  });
});

describe("undo outside git", () => {
  it("restores from plain copies: edits, creations in new folders and deletions", async () => {
    const ws = await workspace();
    await ws.write({
      "keep/a.txt": "alpha\n",
      "gone.txt": "delete me\n",
      "untouched.txt": "same\n",
    });
    const { agent, checkpointer, result } = await runAgent(
      ws,
      [
        toolCallText("edit_file", { path: "keep/a.txt", old: "alpha", new: "ALPHA" }),
        toolCallText("write_file", { path: "x/y/new.txt", content: "new\n" }),
        toolCallText("delete_file", { path: "gone.txt" }),
        toolCallText("run_shell", { command: "true" }),
      ],
      [deleteTool(ws.root)],
    );
    const manifest = await checkpointer.read(result.runId);
    expect(manifest?.mode).toBe("copy");
    const undo = await agent.undo(result.runId);
    expect(undo).toMatchObject({
      restored: ["gone.txt", "keep/a.txt"],
      deleted: ["x/y/new.txt"],
      conflicts: [],
      notes: [
        expect.stringMatching(
          /^run_shell \(first at step 4\) may have changed files that undo cannot restore/,
        ),
      ],
    });
    expect(await ws.read("keep/a.txt")).toBe("alpha\n");
    expect(await ws.read("gone.txt")).toBe("delete me\n");
    await expect(fs.stat(path.join(ws.root, "x"))).rejects.toThrow();
    // The copies live under the sessions folder, not in the workspace.
    expect((await fs.readdir(ws.root)).sort()).toEqual(["gone.txt", "keep", "untouched.txt"]);
  });

  it("refuses to guess about a change whose result was never recorded, unless forced", async () => {
    const ws = await workspace();
    await ws.write({ "a.txt": "before\n" });
    const checkpointer = createCheckpointer({ workspace: ws.root, dir: ws.sessions });
    await checkpointer.beforeChange({
      runId: "run-1",
      step: 1,
      tool: "write_file",
      args: { path: "a.txt" },
    });
    await ws.write({ "a.txt": "half-written by a killed run\n" });
    const undo = await checkpointer.undo("run");
    expect(undo.conflicts).toEqual([
      {
        path: "a.txt",
        reason: expect.stringMatching(/stopped before what it left in this file was recorded/),
      },
    ]);
    await checkpointer.undo("run-1", { force: true });
    expect(await ws.read("a.txt")).toBe("before\n");
  });

  it("ignores paths outside the workspace and in the sessions folder", async () => {
    const ws = await workspace();
    const checkpointer = createCheckpointer({
      workspace: ws.root,
      dir: path.join(ws.root, ".gemma-coder", "sessions"),
    });
    await checkpointer.beforeChange({
      runId: "r",
      step: 1,
      tool: "write_file",
      args: {
        paths: [
          "../outside.txt",
          "/etc/passwd",
          ".gemma-coder/sessions/x.jsonl",
          ".git/config",
          "ok.txt",
        ],
      },
    });
    expect(Object.keys((await checkpointer.read("r"))?.files ?? {})).toEqual(["ok.txt"]);
  });

  it("says clearly when there is nothing to undo", async () => {
    const ws = await workspace();
    const checkpointer = createCheckpointer({ workspace: ws.root, dir: ws.sessions });
    await expect(checkpointer.undo("no-such-run")).rejects.toThrow(
      /no checkpoint of run no-such-run/,
    );
    await expect(checkpointer.undo("../x")).rejects.toSatisfy(GemmaCoderError.isInstance);
    expect(await checkpointer.list()).toEqual([]);
  });
});

describe("touchedPaths", () => {
  it("reads path arguments and treats shell commands and path-less tools as whole-workspace", () => {
    expect(touchedPaths({ tool: "edit_file", args: { path: "a.ts", old: "x", new: "y" } })).toEqual(
      {
        kind: "paths",
        paths: ["a.ts"],
      },
    );
    expect(touchedPaths({ tool: "move", args: { from: "a", to: "b", files: ["c", 3] } })).toEqual({
      kind: "paths",
      paths: ["c", "a", "b"],
    });
    expect(touchedPaths({ tool: "run_shell", args: { command: "rm -rf x", path: "y" } })).toEqual({
      kind: "workspace",
    });
    expect(touchedPaths({ tool: "deploy", args: { env: "prod" } })).toEqual({ kind: "workspace" });
  });
});
