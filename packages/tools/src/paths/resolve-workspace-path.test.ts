import { promises as fs } from "node:fs";
import path from "node:path";
import { GemmaCoderError } from "@gemma-coder/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeWorkspace, type TestWorkspace } from "../__fixtures__/workspace.js";
import { resolveWorkspacePath } from "./resolve-workspace-path.js";

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace();
  await ws.write({ "src/a.txt": "a\n", ".git/config": "[core]\n" });
});
afterEach(() => ws.cleanup());

async function refusal(input: string, write = false): Promise<string> {
  try {
    const resolved = await resolveWorkspacePath(ws.root, input, { write });
    throw new Error(`accepted ${JSON.stringify(input)} as ${resolved.absolute}`);
  } catch (error) {
    expect(GemmaCoderError.isInstance(error)).toBe(true);
    expect((error as GemmaCoderError).code).toBe("tool-failed");
    return (error as Error).message;
  }
}

describe("resolveWorkspacePath", () => {
  it("resolves relative and absolute paths inside the root", async () => {
    const real = await fs.realpath(ws.root);
    await expect(resolveWorkspacePath(ws.root, "src/a.txt")).resolves.toEqual({
      absolute: path.join(real, "src", "a.txt"),
      relative: "src/a.txt",
      root: real,
    });
    const absolute = await resolveWorkspacePath(ws.root, path.join(ws.root, "src/./../src/a.txt"));
    expect(absolute.relative).toBe("src/a.txt");
    expect((await resolveWorkspacePath(ws.root, ".")).relative).toBe(".");
    expect((await resolveWorkspacePath(ws.root, "")).relative).toBe(".");
    expect((await resolveWorkspacePath(ws.root, "new/dir/file.txt")).relative).toBe(
      "new/dir/file.txt",
    );
  });

  it("refuses .. escapes, even ones that come back in", async () => {
    expect(await refusal("../outside/secret.txt")).toMatch(/outside the workspace/);
    expect(await refusal("src/../../outside/secret.txt")).toMatch(/outside the workspace/);
    expect(await refusal("..")).toMatch(/outside the workspace/);
  });

  it("refuses a sibling folder that shares the root's name as a prefix", async () => {
    expect(await refusal("../ws-evil/secret.txt")).toMatch(/outside the workspace/);
    expect(await refusal(path.join(ws.sibling, "secret.txt"))).toMatch(/outside the workspace/);
    expect(await refusal(`${ws.root}-evil/secret.txt`)).toMatch(/outside the workspace/);
  });

  it("refuses absolute paths outside the root", async () => {
    expect(await refusal("/etc/passwd")).toMatch(/outside the workspace/);
    expect(await refusal(path.join(ws.outside, "secret.txt"))).toMatch(/outside the workspace/);
  });

  it("refuses ~ and home-relative paths", async () => {
    expect(await refusal("~")).toMatch(/"~"/);
    expect(await refusal("~/.ssh/id_rsa")).toMatch(/home folders are outside/);
    expect(await refusal("~root/x")).toMatch(/"~"/);
  });

  it("refuses NUL and control characters", async () => {
    expect(await refusal("src/a.txt\u0000.png")).toMatch(/control character/);
    expect(await refusal("src/a\n.txt")).toMatch(/control character/);
    expect(await refusal("src/\u001b[31ma.txt")).toMatch(/control character/);
    expect(await refusal("src/a\u007f.txt")).toMatch(/control character/);
  });

  it("refuses a symlinked file that points outside", async () => {
    await fs.symlink(path.join(ws.outside, "secret.txt"), path.join(ws.root, "link.txt"));
    expect(await refusal("link.txt")).toMatch(/symbolic link/);
    expect(await refusal("link.txt", true)).toMatch(/symbolic link/);
  });

  it("refuses paths under a symlinked parent folder that points outside", async () => {
    await fs.symlink(ws.outside, path.join(ws.root, "out"));
    expect(await refusal("out/secret.txt")).toMatch(/symbolic link/);
    expect(await refusal("out/new-file.txt", true)).toMatch(/symbolic link/);
    expect(await refusal("out/new/deeper/file.txt", true)).toMatch(/symbolic link/);
    // A relative link to the look-alike sibling as well.
    await fs.symlink("../ws-evil", path.join(ws.root, "evil"));
    expect(await refusal("evil/secret.txt")).toMatch(/symbolic link/);
  });

  it("refuses a dangling final link that would create a file outside", async () => {
    await fs.symlink(path.join(ws.outside, "planted.txt"), path.join(ws.root, "dangling"));
    expect(await refusal("dangling", true)).toMatch(/symbolic link/);
    // A chain: link -> dangling link -> outside.
    await fs.symlink("dangling", path.join(ws.root, "chain"));
    expect(await refusal("chain", true)).toMatch(/symbolic link/);
  });

  it("follows links that stay inside the workspace", async () => {
    await fs.symlink("src", path.join(ws.root, "alias"));
    await fs.symlink("src/future.txt", path.join(ws.root, "future-link"));
    const real = await fs.realpath(ws.root);
    expect((await resolveWorkspacePath(ws.root, "alias/a.txt")).absolute).toBe(
      path.join(real, "src", "a.txt"),
    );
    expect((await resolveWorkspacePath(ws.root, "future-link", { write: true })).absolute).toBe(
      path.join(real, "src", "future.txt"),
    );
  });

  it("reports a symlink loop as a short message", async () => {
    await fs.symlink("loop-b", path.join(ws.root, "loop-a"));
    await fs.symlink("loop-a", path.join(ws.root, "loop-b"));
    expect(await refusal("loop-a/x", true)).toMatch(/symbolic links/);
  });

  it("refuses writes into .git, in any case and through a link, but allows reading it", async () => {
    expect(await refusal(".git/config", true)).toMatch(/inside \.git/);
    expect(await refusal(".git", true)).toMatch(/inside \.git/);
    expect(await refusal(".GIT/hooks/pre-commit", true)).toMatch(/inside \.git/);
    expect(await refusal("vendor/lib/.git/config", true)).toMatch(/inside \.git/);
    await fs.symlink(".git", path.join(ws.root, "g"));
    expect(await refusal("g/hooks/post-checkout", true)).toMatch(/inside \.git/);
    await expect(resolveWorkspacePath(ws.root, ".git/config")).resolves.toBeDefined();
    await expect(
      resolveWorkspacePath(ws.root, ".gitignore", { write: true }),
    ).resolves.toBeDefined();
  });

  it("refuses writes into the agent's own state folder .gemma-coder, also through a link", async () => {
    expect(await refusal(".gemma-coder/config.json", true)).toMatch(/\.gemma-coder/);
    expect(await refusal(".gemma-coder", true)).toMatch(/\.gemma-coder/);
    expect(await refusal(".Gemma-Coder/sessions/checkpoints/x/manifest.json", true)).toMatch(
      /\.gemma-coder/,
    );
    await fs.mkdir(path.join(ws.root, ".gemma-coder"));
    await fs.symlink(".gemma-coder", path.join(ws.root, "state"));
    expect(await refusal("state/sessions/x.jsonl", true)).toMatch(/\.gemma-coder/);
    await expect(resolveWorkspacePath(ws.root, ".gemma-coder/config.json")).resolves.toBeDefined();
  });

  it("counts a git folder that a .git file points to inside the workspace as .git", async () => {
    await fs.rm(path.join(ws.root, ".git"), { recursive: true });
    await ws.write({ ".git": "gitdir: ./store/repo\n", "store/repo/config": "[core]\n" });
    expect(await refusal("store/repo/hooks/pre-commit", true)).toMatch(/git folder/);
    expect(await refusal("store/repo", true)).toMatch(/git folder/);
    expect(await refusal(".git", true)).toMatch(/inside \.git/);
    await expect(
      resolveWorkspacePath(ws.root, "store/other.txt", { write: true }),
    ).resolves.toBeDefined();
    // An absolute gitdir inside the workspace counts too.
    await ws.write({ ".git": `gitdir: ${path.join(ws.root, "store", "repo")}\n` });
    expect(await refusal("store/repo/config", true)).toMatch(/git folder/);
  });

  it("with finalLink keep, resolves the folders but leaves a final link as it is", async () => {
    await fs.symlink("/etc/passwd", path.join(ws.root, "src", "out"));
    const kept = await resolveWorkspacePath(ws.root, "src/out", { write: true, finalLink: "keep" });
    expect(kept.absolute).toBe(path.join(await fs.realpath(ws.root), "src", "out"));
    expect(await refusal("src/out", true)).toMatch(/symbolic link/);
    await fs.symlink(ws.base, path.join(ws.root, "up"));
    await expect(
      resolveWorkspacePath(ws.root, "up/x", { write: true, finalLink: "keep" }),
    ).rejects.toThrow(/outside the workspace/);
    await expect(
      resolveWorkspacePath(ws.root, ".git", { write: true, finalLink: "keep" }),
    ).rejects.toThrow(/inside \.git/);
  });

  it("works when the root itself is reached through a symlink", async () => {
    const linkedRoot = path.join(ws.base, "root-link");
    await fs.symlink(ws.root, linkedRoot);
    const viaLink = await resolveWorkspacePath(linkedRoot, path.join(linkedRoot, "src/a.txt"));
    expect(viaLink.relative).toBe("src/a.txt");
    await expect(resolveWorkspacePath(linkedRoot, "../outside/secret.txt")).rejects.toThrow(
      /outside the workspace/,
    );
  });

  it("reports a missing root", async () => {
    await expect(resolveWorkspacePath(path.join(ws.base, "gone"), "a")).rejects.toThrow(
      /root folder does not exist/,
    );
  });
});
