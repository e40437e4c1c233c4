import { promises as fs } from "node:fs";
import path from "node:path";
import v8 from "node:v8";
import { estimateTokens } from "@gemma-coder/core";
import { afterEach, describe, expect, it } from "vitest";
import { copyFixture, type FixtureCopy } from "./__fixtures__/copy-fixture.js";
import { repoMapCacheDir } from "./cache/cache-dir.js";
import { defaultMapTokens, RepoMap } from "./repo-map.js";

let fixture: FixtureCopy | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

async function polyglot(): Promise<FixtureCopy> {
  fixture = await copyFixture();
  return fixture;
}

/** The definitions a map shows, as `file:name` in the order they are shown. */
function shownFiles(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => !/^\d+: /.test(line))
    .map((line) => line.replace(/:$/, ""));
}

describe("RepoMap ranking", () => {
  it("puts the file defining what the task names first, in every language", async () => {
    const { root, cache } = await polyglot();
    const map = new RepoMap({ root, cacheDir: cache });
    const cases: Array<[task: string, file: string, signature: string]> = [
      ["add a reason argument to restock", "inventory/report.py", "def restock("],
      ["priceOf should round to whole cents", "web/src/cart.ts", "export function priceOf("],
      ["Checkout needs a disabled state", "web/src/checkout.tsx", "export function Checkout("],
      ["formatPrice must use the locale", "web/legacy/util.js", "function formatPrice("],
      ["Record should reject empty accounts", "svc/ledger.go", "func (l *Ledger) Record("],
      ["score_all should skip empty inputs", "engine/src/lib.rs", "pub fn score_all("],
      ["charge must refuse negative cents", "jvm/src/Billing.java", "public long charge("],
      ["fnv1a should take a length", "native/hash.c", "uint32_t fnv1a("],
      ["LruCache must evict when full", "native/cache.cpp", "class LruCache"],
    ];
    for (const [task, file, signature] of cases) {
      const { text } = await map.render({ task, maxTokens: 300 });
      const lines = text.split("\n");
      expect(lines[0], task).toBe(`${file}:`);
      expect(
        lines.slice(1).find((line) => line.includes(signature)),
        task,
      ).toBeDefined();
    }
  });

  it("ranks heavily used definitions above unused ones when the task names nothing", async () => {
    const { root, cache } = await polyglot();
    const map = new RepoMap({ root, cacheDir: cache });
    const { text } = await map.render({ task: "", maxTokens: 60 });
    // InventoryStore is used by two other files; nothing refers to cli.py's main.
    expect(text).toContain("class InventoryStore");
    expect(text).not.toContain("def main()");
  });

  it("centres on files in focus and on files already edited", async () => {
    const { root, cache } = await polyglot();
    const map = new RepoMap({ root, cacheDir: cache });
    const focused = await map.render({ focus: ["jvm/src/App.java"], maxTokens: 80 });
    // App.java uses Billing: the file it depends on comes first.
    expect(shownFiles(focused.text)[0]).toBe("jvm/src/Billing.java");
    map.noteTouched("svc/main.go");
    const touched = await map.render({ maxTokens: 80 });
    expect(shownFiles(touched.text)[0]).toBe("svc/ledger.go");
  });

  it("a folder in focus centres on the files in it", async () => {
    const { root, cache } = await polyglot();
    const map = new RepoMap({ root, cacheDir: cache });
    const plain = shownFiles((await map.render({ maxTokens: 80 })).text);
    expect(plain[0]).not.toBe("jvm/src/Billing.java");
    for (const folder of ["jvm", "jvm/src/", "./jvm"]) {
      const focused = await map.render({ focus: [folder], maxTokens: 80 });
      expect(shownFiles(focused.text)[0]).toBe("jvm/src/Billing.java");
    }
  });
});

describe("RepoMap budget", () => {
  it("never exceeds the budget, and shows more with more budget", async () => {
    const { root, cache } = await polyglot();
    const map = new RepoMap({ root, cacheDir: cache });
    let previous = -1;
    for (const maxTokens of [20, 50, 100, 200, 400, 2000]) {
      const rendered = await map.render({ task: "fix the checkout", maxTokens });
      expect(estimateTokens(rendered.text)).toBe(rendered.tokens);
      expect(rendered.tokens).toBeLessThanOrEqual(maxTokens);
      expect(rendered.symbols).toBeGreaterThanOrEqual(previous);
      previous = rendered.symbols;
    }
    // With room to spare, every file is there: parsed ones with definitions, others by name.
    const all = await map.render({ maxTokens: 5000 });
    expect(all.text).toContain("README.md");
    expect(all.text).toContain("settings.json");
    expect(all.files).toBe(18);
  });

  it("scales the default budget with the window: about 1,000 tokens at 8k", () => {
    expect(defaultMapTokens(8192)).toBe(1024);
    expect(defaultMapTokens(2048)).toBe(256);
    expect(defaultMapTokens(32_768)).toBe(4096);
    expect(defaultMapTokens(1_000_000)).toBe(4096);
  });
});

describe("RepoMap cache", () => {
  it("parses only what changed, across processes through the cache file", async () => {
    const { root, cache, write } = await polyglot();
    const first = await new RepoMap({ root, cacheDir: cache }).refresh();
    expect(first.parsed).toBe(16);
    // A new map (as in a new process) reads the cache: nothing is parsed again.
    const map = new RepoMap({ root, cacheDir: cache });
    expect(await map.refresh()).toMatchObject({ parsed: 0, unchanged: 16 });
    await write(
      "inventory/report.py",
      `${await fixture?.read("inventory/report.py")}\n\ndef audit(store: InventoryStore) -> int:\n    return len(store.items())\n`,
    );
    expect(await map.refresh()).toMatchObject({ parsed: 1, unchanged: 15 });
    expect((await map.findSymbol("audit")).results).toEqual([
      expect.objectContaining({ file: "inventory/report.py", line: 14, kind: "function" }),
    ]);
    // Content seen before is not parsed again, even under a new name.
    await fs.copyFile(path.join(root, "cli.py"), path.join(root, "cli_copy.py"));
    expect(await map.refresh()).toMatchObject({ parsed: 0, rehashed: 1 });
    await fs.rm(path.join(root, "cli.py"));
    expect((await map.findSymbol("main")).results.map((r) => r.file)).not.toContain("cli.py");
  });

  it("treats a cache file that was tampered with, truncated or foreign as empty", async () => {
    const { root, cache } = await polyglot();
    await new RepoMap({ root, cacheDir: cache }).refresh();
    const file = path.join(cache, "tags.bin");
    const good = await fs.readFile(file);
    const stored = v8.deserialize(good) as Record<string, unknown>;
    const tamper = async (change: (copy: Record<string, unknown>) => void) => {
      const copy = v8.deserialize(good) as Record<string, unknown>;
      change(copy);
      await fs.writeFile(file, v8.serialize(copy));
      return new RepoMap({ root, cacheDir: cache }).refresh();
    };
    const edit = (field: string, at: number, value: number) => (copy: Record<string, unknown>) => {
      const array = copy[field] as Int32Array;
      array[at < 0 ? array.length + at : at] = value;
    };
    const defCount = (stored.defs as Int32Array).length;
    for (const change of [
      edit("defs", 2, -3), // a line below 1
      edit("defs", 0, 1 << 30), // a string id past the table
      edit("defs", 4, 1e9), // a depth that would indent by gigabytes
      edit("defEnds", -1, defCount + 5), // tags running past the end of the array
      edit("tagOf", 0, 99), // a file pointing at tags that do not exist
      (copy: Record<string, unknown>) => {
        copy.strings = 42;
      },
    ]) {
      expect(await tamper(change)).toMatchObject({ parsed: 16 });
    }
    // Each bad cache was rewritten whole by the refresh after it: the good one reads back.
    expect(await new RepoMap({ root, cacheDir: cache }).refresh()).toMatchObject({ parsed: 0 });
    for (const bytes of [good.subarray(0, good.length >> 1), Buffer.from("{not a cache")]) {
      await fs.writeFile(file, bytes);
      expect(await new RepoMap({ root, cacheDir: cache }).refresh()).toMatchObject({ parsed: 16 });
    }
    await fs.writeFile(file, good);
    const map = new RepoMap({ root, cacheDir: cache });
    expect(await map.refresh()).toMatchObject({ parsed: 0, unchanged: 16 });
    expect((await map.findSymbol("restock")).results).toEqual([
      expect.objectContaining({ file: "inventory/report.py", kind: "function" }),
    ]);
  });

  it("drops the cache file of the older layout (tags.json) when it writes its own", async () => {
    const { root, cache } = await polyglot();
    await fs.mkdir(cache, { recursive: true });
    await fs.writeFile(path.join(cache, "tags.json"), JSON.stringify({ format: "repomap-3" }));
    await new RepoMap({ root, cacheDir: cache }).refresh();
    expect((await fs.readdir(cache)).sort()).toEqual(["tags.bin"]);
  });

  it("keeps its default cache in the user's cache folder, never in the workspace", async () => {
    const { root } = await polyglot();
    const env = { XDG_CACHE_HOME: path.join(path.dirname(root), "xdg") };
    const dir = repoMapCacheDir({ workspace: root, env });
    expect(dir.startsWith(path.join(env.XDG_CACHE_HOME, "gemma-coder", "repomap"))).toBe(true);
    expect(dir.startsWith(root)).toBe(false);
    await new RepoMap({ root, env }).refresh();
    await expect(fs.stat(path.join(dir, "tags.bin"))).resolves.toBeDefined();
    // A relative XDG_CACHE_HOME (it could point into the workspace) is not used.
    expect(
      repoMapCacheDir({ workspace: root, env: { XDG_CACHE_HOME: "." }, homedir: "/home/u" }),
    ).toMatch(/^\/home\/u\/\.cache\/gemma-coder\/repomap\//);
  });
});

describe("RepoMap limits", () => {
  it("lists a 50 MB file and a one-line minified file by name without parsing them", async () => {
    const { root, cache, write } = await polyglot();
    const big = path.join(root, "web/src/huge.ts");
    await fs.writeFile(big, "");
    await fs.truncate(big, 50 * 1024 * 1024);
    await write("web/legacy/vendor.js", `${"function a(b){return b+1};".repeat(10_000)}\n`);
    await write("svc/types.pb.go", "package svc\n\nfunc Generated() {}\n");
    const map = new RepoMap({ root, cacheDir: cache });
    const stats = await map.refresh();
    expect(stats.parsed).toBe(17); // the minified file is read (to see it is minified), not parsed
    const { text } = await map.render({ maxTokens: 5000 });
    expect(text).toContain("web/src/huge.ts");
    expect(text).toContain("web/legacy/vendor.js");
    expect((await map.findSymbol("Generated")).total).toBe(0);
    expect(map.skippedFiles()).toEqual([
      { file: "svc/types.pb.go", reason: "generated" },
      { file: "web/legacy/vendor.js", reason: "minified (a very long line)" },
      { file: "web/src/huge.ts", reason: "larger than 524288 bytes" },
    ]);
    expect((await map.findSymbol("a")).total).toBe(0);
  });

  it("parses a hand-written file whose docstring says something is 'generated by'", async () => {
    const { root, cache, write } = await polyglot();
    await write(
      "ids.py",
      '"""Helpers for IDs. Each ID is generated by uuid4."""\n\ndef new_id():\n    pass\n',
    );
    const map = new RepoMap({ root, cacheDir: cache });
    await map.refresh();
    expect(map.skippedFiles()).toEqual([]);
    expect((await map.findSymbol("new_id")).total).toBe(1);
  });

  it("parses a file again once after its parse timed out, then keeps it skipped if it times out again", async () => {
    const { root, cache, write } = await polyglot();
    await new RepoMap({ root, cacheDir: cache }).refresh();
    const defs = (prefix: string) =>
      Array.from({ length: 3000 }, (_, i) => `def ${prefix}${i}():\n    pass\n`).join("");
    await write("slow.py", defs("slow"));
    // A budget of 0 ms cuts every parse at its first progress check, however fast the machine.
    const hurried = new RepoMap({ root, cacheDir: cache, parseTimeoutMs: 0 });
    await hurried.refresh();
    expect(hurried.skippedFiles()).toEqual([
      { file: "slow.py", reason: "parsing took too long (tried again on the next map)" },
    ]);
    // A timeout can come from a busy machine: the next map in a new process tries again.
    const calm = new RepoMap({ root, cacheDir: cache, parseTimeoutMs: 60_000 });
    await calm.refresh();
    expect(calm.skippedFiles()).toEqual([]);
    expect((await calm.findSymbol("slow2999")).total).toBe(1);

    // Timed out twice: skipped for good (until the file changes), so a hostile file costs
    // its parse budget at most twice.
    await write("stuck.py", defs("stuck"));
    for (const reason of [
      "parsing took too long (tried again on the next map)",
      "parsing took too long",
    ]) {
      const map = new RepoMap({ root, cacheDir: cache, parseTimeoutMs: 0 });
      await map.refresh();
      expect(map.skippedFiles()).toEqual([{ file: "stuck.py", reason }]);
    }
    const after = new RepoMap({ root, cacheDir: cache, parseTimeoutMs: 60_000 });
    expect((await after.refresh()).parsed).toBe(0);
    expect(after.skippedFiles()).toEqual([{ file: "stuck.py", reason: "parsing took too long" }]);
  });

  it("cuts off a parse that takes too long instead of hanging", async () => {
    const { root, cache, write } = await polyglot();
    // The other files come from the cache, so only deep.py meets the 5 ms budget.
    await new RepoMap({ root, cacheDir: cache }).refresh();
    // Deep nesting within the size limit: a real parse of it takes far longer than 5 ms.
    await write(
      "deep.py",
      `x = ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`.replace(/(.{1000})/g, "$1\n"),
    );
    const map = new RepoMap({ root, cacheDir: cache, maxFileBytes: 1 << 20, parseTimeoutMs: 5 });
    await map.refresh();
    const { text } = await map.render({ maxTokens: 5000 });
    expect(text).toContain("deep.py");
    expect(map.skippedFiles()).toEqual([{ file: "deep.py", reason: "parsing took too long" }]);
  });
});
