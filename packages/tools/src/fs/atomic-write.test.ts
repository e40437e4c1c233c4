import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isRunning, makeWorkspace, type TestWorkspace } from "../__fixtures__/workspace.js";
import { writeFileAtomic } from "./atomic-write.js";

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace();
});
afterEach(() => ws.cleanup());

const posix = process.platform !== "win32";

describe("writeFileAtomic", () => {
  it("creates and replaces files and leaves no temporary file", async () => {
    const file = path.join(ws.root, "a.txt");
    await writeFileAtomic(file, "one");
    await writeFileAtomic(file, Buffer.from("two"));
    expect(await fs.readFile(file, "utf8")).toBe("two");
    expect(await fs.readdir(ws.root)).toEqual(["a.txt"]);
  });

  it.runIf(posix)("keeps the old file's permission bits, whatever the umask", async () => {
    const file = path.join(ws.root, "run.sh");
    await fs.writeFile(file, "#!/bin/sh\n");
    await fs.chmod(file, 0o751);
    await writeFileAtomic(file, "#!/bin/sh\necho hi\n");
    expect((await fs.stat(file)).mode & 0o7777).toBe(0o751);
  });

  it.runIf(posix)("replaces a hard link instead of writing through it", async () => {
    const outside = path.join(ws.outside, "secret.txt");
    const inside = path.join(ws.root, "hard.txt");
    await fs.link(outside, inside);
    await writeFileAtomic(inside, "overwritten");
    expect(await fs.readFile(outside, "utf8")).toBe("TOP SECRET\n");
    expect(await fs.readFile(inside, "utf8")).toBe("overwritten");
  });

  it("removes its temporary file when the write fails", async () => {
    const file = path.join(ws.root, "a.txt");
    await fs.writeFile(file, "old");
    // A folder named like the target makes the final rename fail.
    const folderTarget = path.join(ws.root, "dir");
    await fs.mkdir(folderTarget);
    await expect(writeFileAtomic(folderTarget, "x")).rejects.toThrow();
    expect((await fs.readdir(ws.root)).sort()).toEqual(["a.txt", "dir"]);
  });

  it("abandons the write when the folder moved (a link swapped in)", async () => {
    const file = path.join(ws.root, "a.txt");
    await fs.writeFile(file, "old");
    await expect(writeFileAtomic(file, "new", { expectedFolder: ws.outside })).rejects.toThrow(
      /folder changed/,
    );
    expect(await fs.readFile(file, "utf8")).toBe("old");
    expect(await fs.readdir(ws.root)).toEqual(["a.txt"]);
  });

  it("stops between chunks when aborted, leaving the old file", async () => {
    const file = path.join(ws.root, "a.txt");
    await fs.writeFile(file, "old");
    const controller = new AbortController();
    controller.abort();
    await expect(
      writeFileAtomic(file, Buffer.alloc(3 << 20), { signal: controller.signal }),
    ).rejects.toThrow();
    expect(await fs.readFile(file, "utf8")).toBe("old");
  });
});

describe("writeFileAtomic killed mid-write", () => {
  const fixture = fileURLToPath(new URL("../__fixtures__/write-big.ts", import.meta.url));
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  const MEGABYTES = 64;
  const OLD = "old content\n";

  /** Starts the writer, kills it at the chosen moment, and reports what it saw. */
  async function killDuringWrite(
    target: string,
    when: "temp-file-growing" | { afterMs: number },
  ): Promise<{ sawTempFile: boolean }> {
    const child = spawn(process.execPath, ["--import", tsx, fixture, target, String(MEGABYTES)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("ready")) resolve();
      });
      child.on("exit", () => reject(new Error("writer exited before it was ready")));
    });
    let sawTempFile = false;
    const folder = path.dirname(target);
    const tempSize = async (): Promise<number> => {
      for (const name of await fs.readdir(folder)) {
        if (name.endsWith(".tmp")) {
          const size = await fs.stat(path.join(folder, name)).then(
            (s) => s.size,
            () => 0,
          );
          if (size > 0) return size;
        }
      }
      return 0;
    };
    if (when === "temp-file-growing") {
      const deadline = Date.now() + 20_000;
      while ((await tempSize()) === 0 && Date.now() < deadline && child.exitCode === null) {
        await new Promise((resolve) => setImmediate(resolve));
      }
    } else {
      await new Promise((resolve) => setTimeout(resolve, when.afterMs));
    }
    sawTempFile = (await tempSize()) > 0;
    child.kill("SIGKILL");
    await exited;
    expect(isRunning(child.pid!)).toBe(false);
    return { sawTempFile };
  }

  async function expectOldOrNew(target: string): Promise<"old" | "new"> {
    const content = await fs.readFile(target);
    if (content.toString() === OLD) return "old";
    expect(content.length).toBe(MEGABYTES * 1024 * 1024);
    expect(content.every((byte) => byte === 0x6e)).toBe(true);
    return "new";
  }

  it.runIf(posix)(
    "leaves the old file when killed while the temporary file is being written",
    async () => {
      const target = path.join(ws.root, "big.txt");
      await fs.writeFile(target, OLD);
      const { sawTempFile } = await killDuringWrite(target, "temp-file-growing");
      expect(sawTempFile).toBe(true);
      expect(await expectOldOrNew(target)).toBe("old");
    },
    60_000,
  );

  it.runIf(posix)(
    "leaves the old or the new file, never a partial one, whenever it is killed",
    async () => {
      const target = path.join(ws.root, "big.txt");
      const seen = new Set<string>();
      for (const afterMs of [0, 20, 80, 250, 1000]) {
        await fs.writeFile(target, OLD);
        await killDuringWrite(target, { afterMs });
        seen.add(await expectOldOrNew(target));
      }
      // At least one kill must have landed before the rename, or the test proves nothing.
      expect(seen.has("old")).toBe(true);
    },
    120_000,
  );
});
