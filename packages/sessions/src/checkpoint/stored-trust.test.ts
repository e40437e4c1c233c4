// Stored checkpoints are read as if an attacker wrote them (issue 13): a planted manifest
// cannot make undo write outside the workspace, into .git or .gemma-coder, or read a copy
// from outside its folder; internal git commands never run repository-controlled
// programs; checkpoint files are private; a full disk is a clear error.
import { createHash } from "node:crypto";
import { existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { Agent, GemmaCoderError } from "@gemma-coder/core";
import { createScriptedModel, toolCallText } from "@gemma-coder/core/testing";
import { createTools } from "@gemma-coder/tools";
import { afterEach, describe, expect, it, vi } from "vitest";
import { makeWorkspace, type TempWorkspace } from "../__fixtures__/workspace.js";
import { FileSessionStore } from "../store/file-session-store.js";
import { createCheckpointer } from "./workspace-checkpointer.js";

const workspaces: TempWorkspace[] = [];
async function workspace(options: { git?: boolean } = {}): Promise<TempWorkspace> {
  const made = await makeWorkspace(options);
  workspaces.push(made);
  return made;
}
afterEach(async () => {
  vi.restoreAllMocks();
  for (const made of workspaces.splice(0)) await made.cleanup();
});

const PAYLOAD = "#!/bin/sh\necho planted\n";
const payloadState = {
  kind: "file",
  sha256: createHash("sha256").update(PAYLOAD).digest("hex"),
  size: PAYLOAD.length,
  executable: true,
  perm: 0o755,
};

/** Writes a manifest into the sessions folder as an attacker with write access would. */
async function plant(
  dir: string,
  runId: string,
  files: Record<string, Record<string, unknown>>,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const folder = path.join(dir, "checkpoints", runId);
  await fs.mkdir(path.join(folder, "files"), { recursive: true, mode: 0o700 });
  await fs.writeFile(path.join(folder, "files", "0123456789abcdef"), PAYLOAD);
  const manifest = {
    v: 1,
    runId,
    workspace: "/",
    mode: "copy",
    createdAt: 4_102_444_800_000,
    updatedAt: 4_102_444_800_000,
    state: "active",
    workspaceSnapshot: false,
    files,
    createdDirs: [],
    notes: [],
    ...extra,
  };
  await fs.writeFile(path.join(folder, "manifest.json"), JSON.stringify(manifest), {
    mode: 0o600,
  });
}

const restoreEntry = (copy = "files/0123456789abcdef") => ({
  before: payloadState,
  after: { kind: "missing" },
  copy,
  step: 1,
  tool: "write_file",
});

async function mode(file: string): Promise<number> {
  return (await fs.stat(file)).mode & 0o777;
}

describe("a planted checkpoint", () => {
  it("is refused when any path leaves the workspace or names a copy outside its folder", async () => {
    const ws = await workspace();
    const real = await fs.realpath(ws.root);
    const cases: Record<string, Record<string, Record<string, unknown>>> = {
      dotdot: { "../outside.txt": restoreEntry() },
      absolute: { [path.join(ws.base, "outside.txt")]: restoreEntry() },
      copyEscape: { "a.txt": restoreEntry("../../../../outside.txt") },
      backslash: { "..\\outside.txt": restoreEntry() },
    };
    const checkpointer = createCheckpointer({ workspace: ws.root, dir: ws.sessions });
    for (const [runId, files] of Object.entries(cases)) {
      await plant(ws.sessions, runId, files, { workspace: real });
      const error = await checkpointer.undo(runId).catch((e: unknown) => e);
      expect(GemmaCoderError.isInstance(error), runId).toBe(true);
      expect((error as Error).message).toMatch(/not written by this user's gemma-coder runs/);
    }
    expect(await checkpointer.list()).toEqual([]);
    expect(existsSync(path.join(ws.base, "outside.txt"))).toBe(false);
  });

  it("never writes .git, a linked git folder, .gemma-coder, or through a folder link out", async () => {
    const ws = await workspace({ git: true });
    const real = await fs.realpath(ws.root);
    await fs.mkdir(path.join(ws.base, "elsewhere"));
    await fs.symlink(path.join(ws.base, "elsewhere"), path.join(ws.root, "out"));
    await plant(
      ws.sessions,
      "planted",
      {
        ".git/hooks/pre-commit": restoreEntry(),
        ".GIT/hooks/post-checkout": restoreEntry(),
        ".gemma-coder/config.json": restoreEntry(),
        "out/escaped.sh": restoreEntry(),
      },
      { workspace: real },
    );
    const checkpointer = createCheckpointer({ workspace: ws.root, dir: ws.sessions });
    const undo = await checkpointer.undo("planted");
    expect(undo.restored).toEqual([]);
    expect(undo.conflicts.map((c) => c.path).sort()).toEqual([
      ".GIT/hooks/post-checkout",
      ".gemma-coder/config.json",
      ".git/hooks/pre-commit",
      "out/escaped.sh",
    ]);
    for (const conflict of undo.conflicts) expect(conflict.reason).toMatch(/refused/);
    expect(existsSync(path.join(ws.root, ".git", "hooks", "pre-commit"))).toBe(false);
    expect(existsSync(path.join(ws.root, ".gemma-coder"))).toBe(false);
    expect(existsSync(path.join(ws.base, "elsewhere", "escaped.sh"))).toBe(false);
  });

  it("for another workspace, or with a future date, does not become this workspace's latest run", async () => {
    const ws = await workspace();
    await ws.write({ "a.txt": "a\n" });
    const checkpointer = createCheckpointer({ workspace: ws.root, dir: ws.sessions });
    const agent = new Agent({
      provider: createScriptedModel([
        toolCallText("write_file", { path: "a.txt", content: "changed\n" }),
        toolCallText("done", { summary: "ok" }),
      ]),
      tools: createTools({ root: ws.root }),
      rules: false,
      checkpointer,
    });
    const { runId } = await agent.run("change a");
    // Recorded for another folder: the manifest's workspace is never a place to write.
    await plant(ws.sessions, "zz-other", { "a.txt": restoreEntry() }, { workspace: ws.base });
    expect((await checkpointer.latest())?.runId).toBe(runId);
    await expect(checkpointer.undo("zz-other")).rejects.toThrow(/changed files in .*, not in /);
    const undo = await checkpointer.undo(runId);
    expect(undo.restored).toEqual(["a.txt"]);
    expect(await ws.read("a.txt")).toBe("a\n");
  });

  it("is ignored when other users can write it or when its manifest is a link", async () => {
    const ws = await workspace();
    const real = await fs.realpath(ws.root);
    await plant(ws.sessions, "writable", { "a.txt": restoreEntry() }, { workspace: real });
    await fs.chmod(path.join(ws.sessions, "checkpoints", "writable", "manifest.json"), 0o666);
    await plant(ws.sessions, "linked", { "a.txt": restoreEntry() }, { workspace: real });
    const manifest = path.join(ws.sessions, "checkpoints", "linked", "manifest.json");
    await fs.rename(manifest, path.join(ws.base, "m.json"));
    await fs.symlink(path.join(ws.base, "m.json"), manifest);
    const checkpointer = createCheckpointer({ workspace: ws.root, dir: ws.sessions });
    expect(await checkpointer.list()).toEqual([]);
    if (typeof process.getuid === "function") {
      await expect(checkpointer.undo("writable")).rejects.toThrow(/other users can write to it/);
    }
    await expect(checkpointer.undo("linked")).rejects.toThrow(/symbolic link/);
    expect(await ws.read("a.txt")).toBeUndefined();
  });
});

describe("the tools and the agent's state folder", () => {
  it("refuse a model's write into .gemma-coder", async () => {
    const ws = await workspace();
    const agent = new Agent({
      provider: createScriptedModel([
        toolCallText("write_file", {
          path: ".gemma-coder/sessions/checkpoints/x/manifest.json",
          content: "{}",
        }),
        toolCallText("done", { summary: "ok" }),
      ]),
      tools: createTools({ root: ws.root }),
      rules: false,
    });
    const errors: string[] = [];
    agent.on("tool-result", (e) => {
      if (!e.result.ok) errors.push(e.result.error);
    });
    await agent.run("plant");
    expect(errors).toEqual([expect.stringMatching(/Writing inside \.gemma-coder is not allowed/)]);
    expect(existsSync(path.join(ws.root, ".gemma-coder"))).toBe(false);
  });
});

describe("internal git commands", () => {
  it("never run a repository-local core.fsmonitor, hooks or pager during checkpoint and undo", async () => {
    const ws = await workspace({ git: true });
    const marker = path.join(ws.base, "ran");
    const script = path.join(ws.base, "program.sh");
    await fs.writeFile(script, `#!/bin/sh\necho "$0 $*" >> '${marker}'\n`, { mode: 0o755 });
    ws.git("config", "core.fsmonitor", script);
    ws.git("config", "core.pager", script);
    await fs.mkdir(path.join(ws.base, "hooks"));
    for (const hook of ["reference-transaction", "post-index-change", "pre-commit"]) {
      await fs.copyFile(script, path.join(ws.base, "hooks", hook));
      await fs.chmod(path.join(ws.base, "hooks", hook), 0o755);
    }
    ws.git("config", "core.hooksPath", path.join(ws.base, "hooks"));
    await ws.write({ "a.txt": "a\n" });
    const checkpointer = createCheckpointer({ workspace: ws.root, dir: ws.sessions });
    const change = { runId: "run-1", step: 1, tool: "run_shell", args: { command: "x" } };
    await checkpointer.beforeChange(change);
    await fs.writeFile(path.join(ws.root, "a.txt"), "changed\n");
    await fs.writeFile(path.join(ws.root, "b.txt"), "new\n");
    await checkpointer.afterChange({ ...change, result: { ok: true, value: "" } });
    expect(existsSync(marker)).toBe(false);
    const undo = await checkpointer.undo("run-1");
    expect(undo.conflicts).toEqual([]);
    expect(await ws.read("a.txt")).toBe("a\n");
    expect(await ws.read("b.txt")).toBeUndefined();
    expect(existsSync(marker)).toBe(false);
  });
});

describe("checkpoint files", () => {
  it("are private: folders 0700, manifest, copies and git index 0600", async () => {
    const ws = await workspace();
    await ws.write({ "a.txt": "a\n" });
    await fs.chmod(path.join(ws.root, "a.txt"), 0o644);
    const checkpointer = createCheckpointer({ workspace: ws.root, dir: ws.sessions });
    const change = { runId: "run-1", step: 1, tool: "write_file", args: { path: "a.txt" } };
    await checkpointer.beforeChange(change);
    const folder = path.join(ws.sessions, "checkpoints", "run-1");
    expect(await mode(ws.sessions)).toBe(0o700);
    expect(await mode(folder)).toBe(0o700);
    expect(await mode(path.join(folder, "manifest.json"))).toBe(0o600);
    const [copy] = await fs.readdir(path.join(folder, "files"));
    expect(await mode(path.join(folder, "files", copy as string))).toBe(0o600);

    const repo = await workspace({ git: true });
    await repo.write({ "a.txt": "a\n" });
    const inGit = createCheckpointer({ workspace: repo.root, dir: repo.sessions });
    await inGit.beforeChange(change);
    expect(await mode(path.join(repo.sessions, "checkpoints", "run-1", "index"))).toBe(0o600);
  });

  it("a full disk during undo is a storage error that leaves no temporary manifest", async () => {
    const ws = await workspace();
    await ws.write({ "a.txt": "a\n" });
    const checkpointer = createCheckpointer({ workspace: ws.root, dir: ws.sessions });
    const change = { runId: "run-1", step: 1, tool: "write_file", args: { path: "a.txt" } };
    await checkpointer.beforeChange(change);
    await fs.writeFile(path.join(ws.root, "a.txt"), "changed\n");
    await checkpointer.afterChange({ ...change, result: { ok: true, value: "" } });
    const write = fs.writeFile;
    vi.spyOn(fs, "writeFile").mockImplementation(async (file, data, options) => {
      if (String(file).includes("manifest.json")) {
        await write(file, "");
        throw Object.assign(new Error("ENOSPC: no space left on device, write"), {
          code: "ENOSPC",
        });
      }
      return write(file, data, options);
    });
    const error = await checkpointer.undo("run-1").catch((e: unknown) => e);
    expect(GemmaCoderError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "storage" });
    expect((error as Error).message).toMatch(
      /^The checkpoint of run run-1 could not be saved: no space left on device\. 1 file was put back already/,
    );
    const left = await fs.readdir(path.join(ws.sessions, "checkpoints", "run-1"));
    expect(left.filter((name) => name.endsWith(".tmp"))).toEqual([]);
    expect(await ws.read("a.txt")).toBe("a\n");
  });
});

describe("FileSessionStore with the agent", () => {
  it("keeps transcripts 0600 in a 0700 folder", async () => {
    const ws = await workspace();
    const store = new FileSessionStore({ dir: path.join(ws.sessions, "nested") });
    const id = await store.create({ time: 0 });
    expect(await mode(path.join(ws.sessions, "nested"))).toBe(0o700);
    expect(await mode(store.pathOf(id))).toBe(0o600);
    expect(await mode(path.join(ws.sessions, "nested", ".gitignore"))).toBe(0o600);
    await store.release(id);
  });
});
