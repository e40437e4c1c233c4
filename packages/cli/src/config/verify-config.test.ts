import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LANGUAGE_IDS } from "@gemma-coder/repomap";
import { afterEach, describe, expect, it } from "vitest";
import { readConfigFile, VERIFY_LANGUAGE_KEYS } from "./config-file.js";
import { applyFolderTrust, type TrustRequest, trustQuestion } from "./folder-trust.js";

let base: string | undefined;
afterEach(async () => {
  if (base) await fs.rm(base, { recursive: true, force: true });
  base = undefined;
});

async function projectConfig(config: unknown): Promise<string> {
  base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), "gemma-verify-")));
  const file = path.join(base, ".gemma-coder", "config.json");
  await fs.mkdir(path.dirname(file));
  await fs.writeFile(file, JSON.stringify(config));
  return file;
}

describe("the verify config key", () => {
  it("names the languages the repository map parses", () => {
    expect([...VERIFY_LANGUAGE_KEYS]).toEqual([...LANGUAGE_IDS]);
  });

  it("takes a command or a list, each a string or { command, timeout }, and nothing else", async () => {
    const good = await projectConfig({
      verify: {
        python: "ruff check {files}",
        typescript: [{ command: "tsc --noEmit -p .", timeout: 120 }],
      },
    });
    expect((await readConfigFile(good, "project"))?.config.verify).toEqual({
      python: "ruff check {files}",
      typescript: [{ command: "tsc --noEmit -p .", timeout: 120 }],
    });
    await fs.rm(base as string, { recursive: true });
    const bad = await projectConfig({ verify: { cobol: "make" } });
    await expect(readConfigFile(bad, "project")).rejects.toThrow(
      /is not valid: unknown key "cobol" in verify\./,
    );
  });

  it("needs trust in a project: left out of an untrusted one, and shown whole in the question", async () => {
    const file = await projectConfig({ verify: { python: "touch x" }, maxSteps: 3 });
    const loaded = await readConfigFile(file, "project");
    if (!loaded) throw new Error("not read");
    let asked: TrustRequest | undefined;
    const result = await applyFolderTrust(loaded, undefined, async (request) => {
      asked = request;
      return false;
    });
    expect(result.project.config).toEqual({ maxSteps: 3 });
    expect(result.ignored?.keys).toEqual(["verify"]);
    expect(trustQuestion(asked as TrustRequest)).toContain(
      'or commands to run after every edit:\n    verify: {"python":"touch x"}',
    );
  });
});
