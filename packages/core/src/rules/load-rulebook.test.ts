import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_RULES } from "./default-rules.js";
import { loadRulebook, RULEBOOK_FILE_NAMES } from "./load-rulebook.js";

let base: string;
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), "gc-rules-"));
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

async function put(path: string, text: string) {
  await mkdir(dirname(join(base, path)), { recursive: true });
  await writeFile(join(base, path), text);
}

describe("loadRulebook", () => {
  it("embeds exactly the rulebook shipped in rules/default.md", async () => {
    const shipped = await readFile(resolve(__dirname, "../../../../rules/default.md"), "utf8");
    expect(DEFAULT_RULES).toBe(shipped);
    expect(shipped.match(/^\d+\. /gm)).toHaveLength(12);
  });

  it("falls back to the default rulebook", async () => {
    await mkdir(join(base, "repo/.git"), { recursive: true });
    const book = await loadRulebook({ workspace: join(base, "repo") });
    expect(book).toMatchObject({ source: "default", truncated: false, warnings: [] });
    expect(book.text).toBe(DEFAULT_RULES.trim());
  });

  it("finds AGENTS.md in the workspace", async () => {
    await mkdir(join(base, "repo/.git"), { recursive: true });
    await put("repo/AGENTS.md", "Use tabs.");
    const book = await loadRulebook({ workspace: join(base, "repo") });
    expect(book).toMatchObject({
      source: "project",
      path: join(base, "repo/AGENTS.md"),
      text: "Use tabs.",
    });
  });

  it("prefers AGENTS.md over CLAUDE.md in the same folder", async () => {
    await mkdir(join(base, "repo/.git"), { recursive: true });
    await put("repo/CLAUDE.md", "claude");
    await put("repo/AGENTS.md", "agents");
    expect((await loadRulebook({ workspace: join(base, "repo") })).text).toBe("agents");
  });

  it("uses CLAUDE.md and the other common names when AGENTS.md is absent", async () => {
    await mkdir(join(base, "repo/.git"), { recursive: true });
    await put("repo/CLAUDE.md", "claude");
    expect((await loadRulebook({ workspace: join(base, "repo") })).text).toBe("claude");
    await rm(join(base, "repo/CLAUDE.md"));
    await put("repo/.github/copilot-instructions.md", "copilot");
    expect((await loadRulebook({ workspace: join(base, "repo") })).text).toBe("copilot");
    expect(RULEBOOK_FILE_NAMES.indexOf("AGENTS.md")).toBeLessThan(
      RULEBOOK_FILE_NAMES.indexOf("CLAUDE.md"),
    );
  });

  it("prefers the nearest folder, searching up to the repository root", async () => {
    await mkdir(join(base, "repo/.git"), { recursive: true });
    await put("repo/AGENTS.md", "root rules");
    await mkdir(join(base, "repo/packages/app"), { recursive: true });
    expect((await loadRulebook({ workspace: join(base, "repo/packages/app") })).text).toBe(
      "root rules",
    );
    await put("repo/packages/CLAUDE.md", "package rules");
    expect((await loadRulebook({ workspace: join(base, "repo/packages/app") })).text).toBe(
      "package rules",
    );
  });

  it("does not look above the repository root", async () => {
    await put("AGENTS.md", "outside the repo");
    await mkdir(join(base, "repo/.git"), { recursive: true });
    expect((await loadRulebook({ workspace: join(base, "repo") })).source).toBe("default");
  });

  it("outside a repository, reads only the workspace folder", async () => {
    await put("AGENTS.md", "parent");
    await mkdir(join(base, "work"), { recursive: true });
    expect((await loadRulebook({ workspace: join(base, "work") })).source).toBe("default");
    await put("work/AGENTS.md", "here");
    expect((await loadRulebook({ workspace: join(base, "work") })).text).toBe("here");
  });

  it("skips an empty rulebook file", async () => {
    await mkdir(join(base, "repo/.git"), { recursive: true });
    await put("repo/AGENTS.md", "  \n");
    await put("repo/CLAUDE.md", "claude");
    expect((await loadRulebook({ workspace: join(base, "repo") })).text).toBe("claude");
  });

  it("caps a long rulebook at a line boundary with a warning", async () => {
    await mkdir(join(base, "repo/.git"), { recursive: true });
    const lines = Array.from({ length: 500 }, (_, i) => `Rule ${i}: do the thing properly.`);
    await put("repo/AGENTS.md", lines.join("\n"));
    const book = await loadRulebook({ workspace: join(base, "repo"), maxChars: 1000 });
    expect(book.truncated).toBe(true);
    expect(book.text.length).toBeLessThanOrEqual(1000);
    expect(book.text.endsWith("properly.")).toBe(true);
    expect(book.warnings[0]).toMatch(/only the first \d+ are used/);
  });

  it("strips a byte-order mark", async () => {
    await put("AGENTS.md", "\uFEFFrules");
    expect((await loadRulebook({ workspace: base })).text).toBe("rules");
  });

  it("reads an explicit file and fails clearly when it is missing", async () => {
    await put("my-rules.md", "mine");
    expect(await loadRulebook({ workspace: base, file: join(base, "my-rules.md") })).toMatchObject({
      source: "file",
      text: "mine",
    });
    await expect(
      loadRulebook({ workspace: base, file: join(base, "nope.md") }),
    ).rejects.toMatchObject({
      code: "rulebook",
      message: expect.stringContaining("does not exist"),
    });
  });

  it("works with an injected host (no file system)", async () => {
    const files: Record<string, string> = { "/w/CLAUDE.md": "virtual" };
    const book = await loadRulebook({
      workspace: "/w",
      host: {
        readText: async (p) => files[p],
        exists: async (p) => p === "/w/.git",
        join: (...parts) => parts.join("/").replace(/\/+/g, "/"),
        dirname: (p) => p.slice(0, p.lastIndexOf("/")) || "/",
        resolve: (p) => p,
      },
    });
    expect(book.text).toBe("virtual");
  });

  describe("a hostile repository", () => {
    const hasMkfifo =
      process.platform !== "win32" && spawnSync("mkfifo", ["--version"]).error === undefined;

    it("skips a rulebook that links outside the repository, with a warning, and uses the next one", async () => {
      await mkdir(join(base, "repo/.git"), { recursive: true });
      await put("secret.txt", "SECRET-MARKER");
      await symlink(join(base, "secret.txt"), join(base, "repo/AGENTS.md"));
      await put("repo/CLAUDE.md", "claude rules");
      const book = await loadRulebook({ workspace: join(base, "repo") });
      expect(book.text).toBe("claude rules");
      expect(book.warnings.join("\n")).toMatch(/AGENTS\.md.*outside the repository/);
      expect(JSON.stringify(book)).not.toContain("SECRET-MARKER");
    });

    it("skips a folder on the rulebook path that links outside the repository", async () => {
      await mkdir(join(base, "repo/.git"), { recursive: true });
      await put("elsewhere/copilot-instructions.md", "SECRET-MARKER");
      await symlink(join(base, "elsewhere"), join(base, "repo/.github"));
      const book = await loadRulebook({ workspace: join(base, "repo") });
      expect(book.source).toBe("default");
      expect(book.warnings.join("\n")).toMatch(/outside the repository/);
    });

    it("follows a link that stays inside the repository", async () => {
      await mkdir(join(base, "repo/.git"), { recursive: true });
      await put("repo/docs/rules.md", "linked rules");
      await symlink(join(base, "repo/docs/rules.md"), join(base, "repo/AGENTS.md"));
      expect((await loadRulebook({ workspace: join(base, "repo") })).text).toBe("linked rules");
    });

    it.skipIf(process.platform === "win32")(
      "refuses a device (/dev/zero) without reading it, and falls back to the default",
      async () => {
        await mkdir(join(base, "repo/.git"), { recursive: true });
        // Refused before any byte is read (it resolves outside the repository; the
        // explicit-file test below covers the file-type check on a device).
        await symlink("/dev/zero", join(base, "repo/AGENTS.md"));
        const book = await loadRulebook({ workspace: join(base, "repo") });
        expect(book.source).toBe("default");
        expect(book.warnings.join("\n")).toMatch(/AGENTS\.md/);
      },
    );

    it.skipIf(!hasMkfifo)("refuses a FIFO instead of waiting for a writer", async () => {
      await mkdir(join(base, "repo/.git"), { recursive: true });
      spawnSync("mkfifo", [join(base, "repo/AGENTS.md")]);
      const book = await loadRulebook({ workspace: join(base, "repo") });
      expect(book.source).toBe("default");
      expect(book.warnings.join("\n")).toMatch(/AGENTS\.md is not a regular file/);
    });

    it("refuses a folder named like a rulebook", async () => {
      await mkdir(join(base, "repo/.git"), { recursive: true });
      await mkdir(join(base, "repo/AGENTS.md"));
      await put("repo/CLAUDE.md", "claude");
      const book = await loadRulebook({ workspace: join(base, "repo") });
      expect(book.text).toBe("claude");
    });

    it("reads only a bounded head of a huge rulebook", async () => {
      await mkdir(join(base, "repo/.git"), { recursive: true });
      await put("repo/AGENTS.md", "Rule one.\n");
      // A sparse 4 GB file: reading it whole would exhaust memory.
      await truncate(join(base, "repo/AGENTS.md"), 4 * 1024 ** 3);
      const book = await loadRulebook({ workspace: join(base, "repo"), maxChars: 1000 });
      expect(book.truncated).toBe(true);
      expect(book.text.length).toBeLessThanOrEqual(1000);
      expect(book.text.startsWith("Rule one.")).toBe(true);
      expect(book.warnings[0]).toMatch(/more than \d+ characters/);
    });

    it("reads an explicit file through the same checks", async () => {
      await mkdir(join(base, "repo/.git"), { recursive: true });
      await expect(
        loadRulebook({ workspace: join(base, "repo"), file: "/dev/zero" }),
      ).rejects.toMatchObject({
        code: "rulebook",
        message: expect.stringContaining("regular file"),
      });
    });
  });
});
