// Two processes must never append to one transcript at once (issue 13): the session's
// lock file names its holder, a live holder makes the second opener fail with `busy`,
// and a lock left by a process that is gone is taken over.
import { spawnSync } from "node:child_process";
import { existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { GemmaCoderError } from "@gemma-coder/core";
import { afterEach, describe, expect, it } from "vitest";
import { makeWorkspace, type TempWorkspace } from "../__fixtures__/workspace.js";
import { FileSessionStore } from "./file-session-store.js";

const workspaces: TempWorkspace[] = [];
afterEach(async () => {
  for (const made of workspaces.splice(0)) await made.cleanup();
});

async function storeWithSession(): Promise<{ store: FileSessionStore; id: string; lock: string }> {
  const ws = await makeWorkspace();
  workspaces.push(ws);
  const store = new FileSessionStore({ dir: ws.sessions });
  const id = await store.create({ time: 0 });
  return { store, id, lock: path.join(ws.sessions, `${id}.lock`) };
}

describe("the session lock", () => {
  it("is taken by create with this process's id and released on request", async () => {
    const { store, id, lock } = await storeWithSession();
    expect((await fs.readFile(lock, "utf8")).split("\n")[0]).toBe(String(process.pid));
    expect((await fs.stat(lock)).mode & 0o777).toBe(0o600);
    await store.release(id);
    await expect(fs.stat(lock)).rejects.toThrow();
  });

  it("held by another live process makes load and append fail with busy, and nothing is written", async () => {
    const { store, id, lock } = await storeWithSession();
    await store.release(id);
    // The test runner's parent is alive and is not this process.
    await fs.writeFile(lock, `${process.ppid}\n`);
    const before = await fs.readFile(store.pathOf(id), "utf8");
    for (const attempt of [
      () => store.load(id),
      () => store.snapshot(id),
      () =>
        store.append(id, { v: 1, time: 1, type: "notice", runId: "r", kind: "k", message: "m" }),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(GemmaCoderError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: "busy" });
      expect((error as Error).message).toContain(
        `in use by another gemma-coder process (pid ${process.ppid})`,
      );
    }
    expect(await fs.readFile(store.pathOf(id), "utf8")).toBe(before);
    // Listing does not need the lock.
    expect((await store.list()).map((s) => s.sessionId)).toEqual([id]);
  });

  it("left by a process that is gone is taken over", async () => {
    const { store, id, lock } = await storeWithSession();
    await store.release(id);
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
      encoding: "utf8",
    });
    await fs.writeFile(lock, `${gone.stdout}\n`);
    await expect(store.load(id)).resolves.toMatchObject({ sessionId: id });
    expect((await fs.readFile(lock, "utf8")).split("\n")[0]).toBe(String(process.pid));
    await store.release(id);
  });

  // A pid is reused once its process is gone: after a crash and a reboot, the lock's pid
  // can name an unrelated live process. The lock also records when its holder started,
  // so such a lock is known to be stale. Linux exposes a process's start time in /proc.
  const procStat = existsSync(`/proc/${process.ppid}/stat`);
  if (!procStat)
    console.log("skipped the reused-pid lock tests: this system has no /proc/<pid>/stat");
  it.skipIf(!procStat)(
    "whose pid now names another process (pid reused) is taken over",
    async () => {
      const { store, id, lock } = await storeWithSession();
      await store.release(id);
      // A live process, but not the one that wrote the lock: it started at another time.
      await fs.writeFile(lock, `${process.ppid}\nstarted 1\n`);
      await expect(store.load(id)).resolves.toMatchObject({ sessionId: id });
      expect((await fs.readFile(lock, "utf8")).split("\n")[0]).toBe(String(process.pid));
      await store.release(id);
    },
  );

  it.skipIf(!procStat)(
    "records its holder's start time, and a live holder with that time is busy",
    async () => {
      const { store, id, lock } = await storeWithSession();
      expect(await fs.readFile(lock, "utf8")).toMatch(/^\d+\nstarted \d+\n$/);
      await store.release(id);
      const stat = await fs.readFile(`/proc/${process.ppid}/stat`, "utf8");
      // Field 22 of proc(5)'s stat line; the fields after the command name start at field 3.
      const parentStart = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
      await fs.writeFile(lock, `${process.ppid}\nstarted ${parentStart}\n`);
      await expect(store.load(id)).rejects.toMatchObject({ code: "busy" });
    },
  );
});
