import { mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { GemmaCoderError } from "@gemma-coder/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseCliArgs } from "../args.js";
import { findProjectConfig, searchProjectConfig } from "./config-file.js";
import { rememberFolderTrust, type TrustRequest } from "./folder-trust.js";
import { resolveSettings } from "./resolve-settings.js";

let root: string;
let project: string;
let xdg: string;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "gemma-coder-config-"));
  project = path.join(root, "repo");
  xdg = path.join(root, "xdg");
  mkdirSync(path.join(project, ".git"), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function writeProject(config: unknown) {
  mkdirSync(path.join(project, ".gemma-coder"), { recursive: true });
  writeFileSync(path.join(project, ".gemma-coder", "config.json"), JSON.stringify(config));
}
function writeUser(config: unknown) {
  mkdirSync(path.join(xdg, "gemma-coder"), { recursive: true });
  writeFileSync(
    path.join(xdg, "gemma-coder", "config.json"),
    typeof config === "string" ? config : JSON.stringify(config),
  );
}
/** Resolves with the project folder trusted (as `--trust-project` would), unless told otherwise. */
async function settings(
  argv: string[],
  env: Record<string, string> = {},
  decideTrust: (request: TrustRequest) => Promise<boolean> = async () => true,
) {
  return resolveSettings(
    parseCliArgs([...argv, "task"]),
    { XDG_CONFIG_HOME: xdg, ...env },
    project,
    { decideTrust },
  );
}
async function configError(argv: string[], env: Record<string, string> = {}) {
  try {
    await settings(argv, env);
  } catch (error) {
    if (GemmaCoderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a config error");
}

describe("resolveSettings", () => {
  it("leaves everything unset with no flags, environment or files", async () => {
    const result = await settings([]);
    expect(result.provider).toBeUndefined();
    expect(result.files).toEqual([]);
  });

  it("applies flags > environment > project file > user file, per setting", async () => {
    writeUser({
      provider: "llama-cpp",
      model: "user-model",
      maxSteps: 7,
      temperature: 0.2,
      contextWindow: 4096,
    });
    writeProject({ provider: "ollama", model: "project-model", maxSteps: 9 });
    const files = await settings([]);
    expect(files).toMatchObject({
      provider: "ollama",
      model: "project-model",
      maxSteps: 9,
      temperature: 0.2,
      contextWindow: 4096,
    });
    expect(files.sources.provider).toBe(path.join(project, ".gemma-coder", "config.json"));
    expect(files.sources.temperature).toBe(path.join(xdg, "gemma-coder", "config.json"));

    const env = await settings([], {
      GEMMA_CODER_MODEL: "env-model",
      GEMMA_CODER_PROVIDER: "openrouter",
    });
    expect(env).toMatchObject({ provider: "openrouter", model: "env-model", maxSteps: 9 });
    expect(env.sources.model).toBe("GEMMA_CODER_MODEL");

    const flags = await settings(
      ["--model", "flag-model", "--max-steps", "3", "--provider", "ollama"],
      {
        GEMMA_CODER_MODEL: "env-model",
      },
    );
    expect(flags).toMatchObject({ provider: "ollama", model: "flag-model", maxSteps: 3 });
    expect(flags.sources).toMatchObject({
      provider: "--provider",
      model: "--model",
      maxSteps: "--max-steps",
    });
  });

  it("finds the project file from a subfolder, but not above the repository root", async () => {
    writeProject({ model: "m" });
    const sub = path.join(project, "src", "deep");
    mkdirSync(sub, { recursive: true });
    expect(await findProjectConfig(sub)).toBe(path.join(project, ".gemma-coder", "config.json"));
    mkdirSync(path.join(root, ".gemma-coder"), { recursive: true });
    writeFileSync(path.join(root, ".gemma-coder", "config.json"), "{}");
    rmSync(path.join(project, ".gemma-coder"), { recursive: true });
    expect(await findProjectConfig(sub)).toBeUndefined();
  });

  it("lets OLLAMA_HOST beat a file's baseUrl for Ollama, and not a flag", async () => {
    writeProject({ provider: "ollama", baseUrl: "http://box:11434" });
    const env = await settings([], { OLLAMA_HOST: "127.0.0.1:9999" });
    expect(env.baseUrl).toBeUndefined();
    expect(env.sources.baseUrl).toBe("OLLAMA_HOST");
    const flag = await settings(["--base-url", "http://127.0.0.1:1/"], {
      OLLAMA_HOST: "127.0.0.1:9999",
    });
    expect(flag.baseUrl).toBe("http://127.0.0.1:1");
  });

  it("ignores OLLAMA_HOST for other providers", async () => {
    writeProject({ provider: "llama-cpp", baseUrl: "http://box:8080" });
    const result = await settings([], { OLLAMA_HOST: "127.0.0.1:9999" });
    expect(result.baseUrl).toBe("http://box:8080");
  });

  it("reads the OpenRouter key from the environment before the user file", async () => {
    writeUser({ apiKey: "from-file" });
    expect((await settings([])).apiKey).toBe("from-file");
    expect((await settings([], { OPENROUTER_API_KEY: "from-env" })).apiKey).toBe("from-env");
  });

  it("reads the protocol from --protocol before the config files, and checks the key", async () => {
    writeUser({ protocol: "native" });
    expect(await settings([])).toMatchObject({ protocol: "native" });
    writeProject({ protocol: "json" });
    expect((await settings([])).protocol).toBe("json");
    const flagged = await settings(["--protocol", "text"]);
    expect(flagged.protocol).toBe("text");
    expect(flagged.sources.protocol).toBe("--protocol");
    writeProject({ protocol: "xml" });
    expect((await configError([])).message).toMatch(/protocol/);
  });

  it("reads constrained decoding from --constrained before the config files", async () => {
    writeUser({ constrained: "json" });
    expect(await settings([])).toMatchObject({ constrained: "json" });
    writeProject({ constrained: "off" });
    expect((await settings([])).constrained).toBe("off");
    expect((await settings(["--constrained", "grammar"])).sources.constrained).toBe(
      "--constrained",
    );
    writeProject({ constrained: "sometimes" });
    expect((await configError([])).message).toMatch(/constrained/);
  });

  it("turns a file's timeout in seconds or as a duration into milliseconds", async () => {
    writeUser({ timeout: 90 });
    expect((await settings([])).timeoutMs).toBe(90_000);
    writeUser({ timeout: "10m" });
    expect((await settings([])).timeoutMs).toBe(600_000);
    writeUser({ timeout: "later" });
    expect((await configError([])).message).toMatch(/timeout "later"/);
    writeUser({ timeout: "100000h" });
    expect((await configError([])).message).toMatch(/timeout "100000h".*longest supported/);
    writeUser({ timeout: 1e12 });
    expect((await configError([])).message).toMatch(/longest supported/);
  });

  it("names an unknown provider and lists the known ones", async () => {
    const error = await configError(["--provider", "gpt"]);
    expect(error.code).toBe("config");
    expect(error.message).toMatch(/Unknown provider "gpt" \(from --provider\)/);
    expect(error.message).toMatch(/ollama, openrouter, llama-cpp, embedded/);
    expect((await configError([], { GEMMA_CODER_PROVIDER: "x" })).message).toMatch(
      /GEMMA_CODER_PROVIDER/,
    );
  });

  it("rejects a base URL that is not http(s)", async () => {
    expect((await configError(["--base-url", "localhost:11434"])).message).toMatch(/not an http/);
  });

  it("reports invalid JSON, unknown keys and bad values with the file's path", async () => {
    writeUser("{ not json");
    expect((await configError([])).message).toMatch(/user config file .* is not valid JSON/);
    writeUser({ provder: "ollama" });
    expect((await configError([])).message).toMatch(/unknown key "provder"/);
    writeUser({ provider: "gpt" });
    expect((await configError([])).message).toMatch(/provider/);
    writeUser({ maxSteps: -1 });
    expect((await configError([])).message).toMatch(/maxSteps/);
  });

  it("takes the in-process engine's threads from the user file only, within 1 to 256", async () => {
    writeUser({ threads: 1 });
    expect((await settings([])).threads).toBe(1);
    writeUser({ threads: 0 });
    expect((await configError([])).message).toMatch(/threads/);
    writeUser({ threads: 257 });
    expect((await configError([])).message).toMatch(/threads/);
    writeUser({});
    writeProject({ threads: 2 });
    expect((await configError([])).message).toContain(
      "holds threads. How many CPU threads the in-process engine uses depends on your machine, not the project",
    );
  });

  it("refuses an API key in a project file", async () => {
    writeProject({ apiKey: "sk-secret" });
    const error = await configError([]);
    expect(error.message).toMatch(/holds an apiKey/);
    expect(error.message).not.toContain("sk-secret");
  });

  it("takes the sessions folder from --sessions-dir, then the environment, then the files", async () => {
    writeProject({ sessionsDir: "../project-sessions" });
    writeUser({ sessionsDir: "~/user-sessions" });
    const home = path.join(root, "home");
    const env = { HOME: home };
    expect((await settings(["--sessions-dir", "flag"], env)).sessionsDir).toBe(
      path.join(project, "flag"),
    );
    expect((await settings([], { ...env, GEMMA_CODER_SESSIONS_DIR: "/abs/env" })).sessionsDir).toBe(
      path.resolve("/abs/env"),
    );
    const fromProject = await settings([], env);
    // A project file's relative path is relative to the project, not to .gemma-coder/.
    expect(fromProject.sessionsDir).toBe(path.join(root, "project-sessions"));
    expect(fromProject.sources.sessionsDir).toBe(path.join(project, ".gemma-coder", "config.json"));
    rmSync(path.join(project, ".gemma-coder"), { recursive: true });
    expect((await settings([], env)).sessionsDir).toBe(path.join(home, "user-sessions"));
    writeUser({ sessionsDir: "relative" });
    expect((await settings([], env)).sessionsDir).toBe(path.join(home, "relative"));
  });

  it("leaves the sessions folder unset when nothing names one", async () => {
    expect((await settings([])).sessionsDir).toBeUndefined();
  });

  describe("folder trust", () => {
    it("leaves out provider, baseUrl and sessionsDir of an untrusted project, and keeps the rest", async () => {
      writeProject({ provider: "ollama", baseUrl: "http://evil:1", sessionsDir: "s", maxSteps: 7 });
      const asked: TrustRequest[] = [];
      const result = await settings([], {}, async (request) => {
        asked.push(request);
        return false;
      });
      expect(result.provider).toBeUndefined();
      expect(result.baseUrl).toBeUndefined();
      expect(result.sessionsDir).toBeUndefined();
      expect(result.maxSteps).toBe(7);
      expect(result.ignored?.keys).toEqual(["provider", "baseUrl", "sessionsDir"]);
      expect(asked).toHaveLength(1);
      expect(asked[0]?.root).toBe(realpathSync(project));
      expect(asked[0]?.settings).toContainEqual(["baseUrl", "http://evil:1"]);
    });

    it("does not ask about a project without gated settings", async () => {
      writeProject({ maxSteps: 3 });
      const result = await settings([], {}, async () => {
        throw new Error("asked");
      });
      expect(result.maxSteps).toBe(3);
    });

    it("trusts a folder remembered in the user config, keyed by real path, keeping the other settings", async () => {
      writeUser({ model: "mine", apiKey: "sk-x" });
      writeProject({ provider: "llama-cpp" });
      await rememberFolderTrust({ XDG_CONFIG_HOME: xdg }, realpathSync(project), true);
      const result = await resolveSettings(
        parseCliArgs(["task"]),
        { XDG_CONFIG_HOME: xdg },
        project,
      );
      expect(result.provider).toBe("llama-cpp");
      expect(result.model).toBe("mine");
      expect(result.apiKey).toBe("sk-x");
      const file = path.join(xdg, "gemma-coder", "config.json");
      expect(statSync(file).mode & 0o777).toBe(0o600);
    });

    it("rejects trustedFolders in a project file", async () => {
      writeProject({ trustedFolders: { [project]: true } });
      expect((await configError([])).message).toContain("cannot trust itself");
    });
  });

  it("outside a repository, looks for the project config in the workspace only", async () => {
    const shared = path.join(root, "shared");
    const workspace = path.join(shared, "x");
    mkdirSync(path.join(shared, ".gemma-coder"), { recursive: true });
    mkdirSync(workspace);
    writeFileSync(path.join(shared, ".gemma-coder", "config.json"), "{}");
    expect(await findProjectConfig(workspace)).toBeUndefined();
    mkdirSync(path.join(workspace, ".gemma-coder"));
    writeFileSync(path.join(workspace, ".gemma-coder", "config.json"), "{}");
    expect(await findProjectConfig(workspace)).toBe(
      path.join(workspace, ".gemma-coder", "config.json"),
    );
  });

  it.skipIf(typeof process.getuid !== "function")(
    "skips a project config that another user owns",
    async () => {
      writeProject({ provider: "ollama" });
      const uid = (process.getuid as () => number)();
      const spy = vi.spyOn(process, "getuid").mockReturnValue(uid + 1);
      try {
        const search = await searchProjectConfig(project);
        expect(search.path).toBeUndefined();
        expect(search.foreign).toEqual([path.join(project, ".gemma-coder", "config.json")]);
      } finally {
        spy.mockRestore();
      }
      expect((await searchProjectConfig(project)).path).toBeDefined();
    },
  );
});
