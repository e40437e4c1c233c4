import { promises as fs, utimesSync } from "node:fs";
import path from "node:path";
import { Agent, type TranscriptRecord } from "@gemma-coder/core";
import { createScriptedModel, toolCallText } from "@gemma-coder/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { makeWorkspace, type TempWorkspace } from "../__fixtures__/workspace.js";
import { FileSessionStore } from "./file-session-store.js";
import { resolveSessionDir, userCacheDir, userDataDir } from "./session-dir.js";

const workspaces: TempWorkspace[] = [];
async function temp(): Promise<TempWorkspace> {
  const made = await makeWorkspace();
  workspaces.push(made);
  return made;
}
afterEach(async () => {
  for (const made of workspaces.splice(0)) await made.cleanup();
});

const notice = (message: string): TranscriptRecord => ({
  v: 1,
  time: 5,
  type: "notice",
  runId: "r",
  kind: "test",
  message,
});

describe("FileSessionStore", () => {
  it("writes one JSON line per record, readable back, with a .gitignore in its folder", async () => {
    const ws = await temp();
    const store = new FileSessionStore({ dir: ws.sessions });
    const id = await store.create({ time: Date.UTC(2025, 0, 2, 3, 4, 5), workspace: ws.root });
    expect(id).toMatch(/^20250102-030405-[0-9a-f]{6}$/);
    await store.append(id, notice("first"));
    await store.append(id, notice("second\nwith a newline"));
    const text = await fs.readFile(store.pathOf(id), "utf8");
    expect(text.split("\n")).toHaveLength(4);
    expect(text.endsWith("\n")).toBe(true);
    const loaded = await store.load(id);
    expect(loaded.records.map((r) => r.type)).toEqual(["session", "notice", "notice"]);
    expect(loaded.records[0]).toMatchObject({ sessionId: id, workspace: ws.root });
    expect(loaded.warnings).toEqual([]);
    expect(await fs.readFile(path.join(ws.sessions, ".gitignore"), "utf8")).toBe("*\n");
  });

  it("gives sessions started in the same second different ids", async () => {
    const ws = await temp();
    const store = new FileSessionStore({ dir: ws.sessions });
    const ids = await Promise.all([1, 2, 3, 4, 5].map(() => store.create({ time: 0 })));
    expect(new Set(ids).size).toBe(5);
  });

  it("reads a transcript torn mid-line, and refuses to append to a deleted one", async () => {
    const ws = await temp();
    const store = new FileSessionStore({ dir: ws.sessions });
    const id = await store.create({ time: 0 });
    await store.append(id, notice("kept"));
    await fs.appendFile(store.pathOf(id), '{"v":1,"time":5,"type":"no');
    const loaded = await store.load(id);
    expect(loaded.records).toHaveLength(2);
    expect(loaded.warnings).toEqual([expect.stringMatching(/incomplete line 3/)]);
    await fs.rm(store.pathOf(id));
    await expect(store.append(id, notice("lost"))).rejects.toThrow(/There is no session/);
    await expect(store.load(id)).rejects.toMatchObject({ code: "invalid-argument" });
  });

  it("lists sessions newest first, finds the latest and resolves id prefixes", async () => {
    const ws = await temp();
    const store = new FileSessionStore({ dir: ws.sessions });
    expect(await store.list()).toEqual([]);
    expect(await store.latest()).toBeUndefined();
    const agent = new Agent({
      provider: createScriptedModel([
        toolCallText("done", { summary: "first done" }),
        toolCallText("done", { summary: "second done" }),
      ]),
      rules: false,
      session: store,
    });
    const first = await agent.run("task one");
    const second = await agent.run("task two");
    const old = new Date(Date.now() - 60_000);
    utimesSync(store.pathOf(first.sessionId ?? ""), old, old);
    await fs.writeFile(path.join(ws.sessions, "garbage.jsonl"), "not a transcript\n");
    utimesSync(path.join(ws.sessions, "garbage.jsonl"), new Date(0), new Date(0));

    const list = await store.list();
    expect(list.map((s) => s.sessionId)).toEqual([second.sessionId, first.sessionId, "garbage"]);
    expect(list[0]).toMatchObject({
      task: "task two",
      status: "done",
      runs: 1,
      lastRunId: second.runId,
      summary: "second done",
    });
    expect(list[2]).toMatchObject({
      status: "unreadable",
      error: expect.stringMatching(/not a gemma-coder transcript/),
    });
    expect((await store.latest())?.sessionId).toBe(second.sessionId);

    const id = second.sessionId ?? "";
    expect(await store.resolve(id)).toBe(id);
    expect(await store.resolve(id.slice(0, -2))).toBe(id);
    await expect(store.resolve("zzz")).rejects.toThrow(/There is no session "zzz"/);
    await store.create({ time: 0 });
    await store.create({ time: 0 });
    await expect(store.resolve("1970")).rejects.toThrow(/matches 2 sessions/);
    await expect(store.resolve("../etc/passwd")).rejects.toThrow(/not a valid session id/);
    expect(() => store.pathOf("a/b")).toThrow(/not a valid session id/);
  });
});

describe("resolveSessionDir", () => {
  it("prefers an explicit folder, then the environment, then the user's data folder keyed by the workspace's real path", async () => {
    const ws = await temp();
    expect(await resolveSessionDir({ workspace: ws.root, dir: "rel/dir", env: {} })).toEqual({
      dir: path.resolve("rel/dir"),
      location: "custom",
    });
    expect(
      await resolveSessionDir({ workspace: ws.root, env: { GEMMA_CODER_SESSIONS_DIR: "/x/s" } }),
    ).toEqual({ dir: path.resolve("/x/s"), location: "custom" });
    // Never inside the workspace, even a writable one: a repository controls that folder.
    const data = await resolveSessionDir({ workspace: ws.root, env: { XDG_DATA_HOME: "/d" } });
    expect(data.location).toBe("data");
    expect(data.dir).toMatch(/^\/d\/gemma-coder\/sessions\/[A-Za-z0-9._-]+-[0-9a-f]{16}$/);
    // The same folder reached through a link shares its sessions; another folder does not.
    const link = path.join(ws.base, "link");
    await fs.symlink(ws.root, link);
    expect(await resolveSessionDir({ workspace: link, env: { XDG_DATA_HOME: "/d" } })).toEqual(
      data,
    );
    const other = await resolveSessionDir({ workspace: ws.base, env: { XDG_DATA_HOME: "/d" } });
    expect(other.dir).not.toBe(data.dir);
    const missing = path.join(ws.base, "not there");
    const fromHome = await resolveSessionDir({
      workspace: missing,
      env: {},
      homedir: "/h",
      platform: "linux",
    });
    expect(fromHome.dir).toMatch(
      /^\/h\/.local\/share\/gemma-coder\/sessions\/not_there-[0-9a-f]{16}$/,
    );
  });

  it("uses each platform's data folder", () => {
    const home = "/home/u";
    expect(userDataDir({ env: {}, platform: "linux", homedir: home })).toBe(
      "/home/u/.local/share/gemma-coder",
    );
    expect(userDataDir({ env: { XDG_DATA_HOME: "/x" }, platform: "darwin", homedir: home })).toBe(
      "/x/gemma-coder",
    );
    // A relative XDG_DATA_HOME is invalid by the specification and ignored.
    expect(userDataDir({ env: { XDG_DATA_HOME: "rel" }, platform: "linux", homedir: home })).toBe(
      "/home/u/.local/share/gemma-coder",
    );
    expect(userDataDir({ env: { LOCALAPPDATA: "/l" }, platform: "win32", homedir: home })).toBe(
      path.join("/l", "gemma-coder"),
    );
  });

  it("uses each platform's cache folder", () => {
    const home = "/home/u";
    expect(userCacheDir({ env: {}, platform: "linux", homedir: home })).toBe(
      "/home/u/.cache/gemma-coder",
    );
    expect(userCacheDir({ env: {}, platform: "darwin", homedir: home })).toBe(
      "/home/u/.cache/gemma-coder",
    );
    expect(userCacheDir({ env: { XDG_CACHE_HOME: "/x" }, platform: "darwin", homedir: home })).toBe(
      "/x/gemma-coder",
    );
    expect(userCacheDir({ env: { LOCALAPPDATA: "/l" }, platform: "win32", homedir: home })).toBe(
      path.join("/l", "gemma-coder"),
    );
  });
});
