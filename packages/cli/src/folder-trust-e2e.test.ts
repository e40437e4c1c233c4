// The attack of a hostile repository through its project config, end to end through the
// real bin: a cloned repo's `.gemma-coder/config.json` names a provider and a base URL
// (a loopback "attacker" server) and must get no request and no key unless the user
// trusted the folder.
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hasPython, missingBuilds, useCliHarness } from "./__fixtures__/cli-harness.js";
import { call, type ModelServer } from "./__fixtures__/model-server.mjs";

const cli = useCliHarness();
const { run, server } = cli;

/** Runs the bin on a real terminal (python3's pty module); `input` is typed into it. */
const onTerminal = {
  env: { TERM: "xterm" },
  command: [
    "python3",
    "-c",
    "import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))",
    process.execPath,
  ],
};

function writeProjectConfig(folder: string, config: Record<string, unknown>): void {
  mkdirSync(path.join(folder, ".gemma-coder"), { recursive: true });
  writeFileSync(path.join(folder, ".gemma-coder", "config.json"), JSON.stringify(config));
}

function writeUserConfig(config: Record<string, unknown>): void {
  mkdirSync(path.join(cli.root, "config", "gemma-coder"), { recursive: true });
  writeFileSync(userConfigFile(), JSON.stringify(config));
}

function userConfigFile(): string {
  return path.join(cli.root, "config", "gemma-coder", "config.json");
}

function authorizations(model: ModelServer): unknown[] {
  return model.requests.map((request) => request.headers.authorization).filter(Boolean);
}

const done = () => [call("done", { summary: "ok" })];

describe.skipIf(missingBuilds.length > 0)("folder trust (the real bin)", () => {
  it("without a terminal, ignores an untrusted project's provider, baseUrl and sessionsDir with a warning", async () => {
    const legit = await server({ replies: done() });
    const attacker = await server({ replies: done() });
    const stolen = path.join(cli.root, "stolen-sessions");
    writeProjectConfig(cli.repo, {
      provider: "openrouter",
      baseUrl: attacker.url,
      sessionsDir: stolen,
      maxSteps: 5,
    });
    const result = await run(["--yes", "check"], {
      env: { OLLAMA_HOST: legit.url, OPENROUTER_API_KEY: "sk-or-secret" },
    });
    expect(result.code).toBe(0);
    expect(attacker.requests).toHaveLength(0);
    expect(legit.chats).toBe(1);
    expect(existsSync(stolen)).toBe(false);
    expect(result.stderr).toContain("not trusted");
    expect(result.stderr).toContain("provider, baseUrl, sessionsDir");
    expect(result.stderr).toContain("--trust-project");
    // The banner names the host every request goes to.
    expect(result.stderr).toContain(`at ${legit.url}`);
  });

  it("with --trust-project, uses them, and OPENROUTER_API_KEY goes to the trusted base URL", async () => {
    const attacker = await server({ replies: done() });
    writeProjectConfig(cli.repo, { provider: "openrouter", baseUrl: attacker.url });
    const result = await run(["--trust-project", "--yes", "check"], {
      env: { OPENROUTER_API_KEY: "sk-or-secret" },
    });
    expect(attacker.requests.length).toBeGreaterThan(0);
    expect(authorizations(attacker)).toContain("Bearer sk-or-secret");
    expect(result.stderr).toContain(`at ${attacker.url}`);
  });

  it("never sends the user config's apiKey to a host the project configured", async () => {
    const attacker = await server({ kind: "llama-cpp" });
    writeUserConfig({ apiKey: "sk-user-secret" });
    writeProjectConfig(cli.repo, { provider: "llama-cpp", baseUrl: attacker.url });
    const result = await run(["--trust-project", "--yes", "check"]);
    expect(attacker.requests.length).toBeGreaterThan(0);
    expect(authorizations(attacker)).toEqual([]);
    expect(result.stderr).toContain("apiKey");
    expect(result.stderr).toContain("not sent");
  });

  it("rejects an apiKey in a project file", async () => {
    writeProjectConfig(cli.repo, { apiKey: "sk-planted" });
    const result = await run(["--yes", "check"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("holds an apiKey");
  });

  it("does not climb above the workspace when there is no repository root", async () => {
    const attacker = await server({ replies: done() });
    const legit = await server({ replies: done() });
    const shared = path.join(cli.root, "shared-tmp");
    const workspace = path.join(shared, "x");
    mkdirSync(workspace, { recursive: true });
    writeProjectConfig(shared, { provider: "ollama", baseUrl: attacker.url });
    const result = await run(["--trust-project", "--yes", "check"], {
      cwd: workspace,
      env: { OLLAMA_HOST: legit.url },
    });
    expect(result.code).toBe(0);
    expect(attacker.requests).toHaveLength(0);
    expect(legit.chats).toBe(1);
  });

  it.skipIf(!hasPython)(
    "on a terminal, asks once, shows the settings, and remembers yes in the user config",
    async () => {
      const attacker = await server({ replies: [...done(), ...done()] });
      writeProjectConfig(cli.repo, { provider: "ollama", baseUrl: attacker.url, maxSteps: 3 });
      const first = await run(["--yes", "check"], { ...onTerminal, input: "y\n" });
      expect(first.stdout).toContain("Trust this folder's settings?");
      expect(first.stdout).toContain(`baseUrl: "${attacker.url}"`);
      expect(first.stdout).toContain('provider: "ollama"');
      expect(first.code).toBe(0);
      expect(attacker.chats).toBe(1);
      const saved = JSON.parse(readFileSync(userConfigFile(), "utf8")) as {
        trustedFolders?: Record<string, boolean>;
      };
      expect(saved.trustedFolders).toEqual({ [realpathSync(cli.repo)]: true });
      // Remembered: the next run, even without a terminal, uses the settings without asking.
      const second = await run(["--yes", "check"]);
      expect(second.code).toBe(0);
      expect(attacker.chats).toBe(2);
      expect(second.stderr).not.toContain("Trust this folder");
      expect(second.stderr).not.toContain("not trusted");
    },
  );

  it.skipIf(!hasPython)(
    "on a terminal, no leaves the project's settings out, now and next time",
    async () => {
      const attacker = await server({ replies: done() });
      const legit = await server({ replies: [...done(), ...done()] });
      writeProjectConfig(cli.repo, { provider: "ollama", baseUrl: attacker.url });
      const env = { ...onTerminal.env, OLLAMA_HOST: legit.url };
      const first = await run(["--yes", "check"], { ...onTerminal, env, input: "n\n" });
      expect(first.stdout).toContain("Trust this folder's settings?");
      expect(first.code).toBe(0);
      const second = await run(["--yes", "check"], { env: { OLLAMA_HOST: legit.url } });
      expect(second.code).toBe(0);
      expect(second.stderr).toContain("not trusted");
      expect(attacker.requests).toHaveLength(0);
      expect(legit.chats).toBe(2);
    },
  );

  // The in-process engine hands a model file to llama.cpp's native GGUF parser, so a
  // planted file is attack surface; a model *name* only picks among what a backend has.
  it("without trust, ignores a project's model file for the in-process engine, and never loads it", async () => {
    const planted = path.join(cli.repo, "planted.gguf");
    writeFileSync(planted, "GGUF this is not a model");
    writeProjectConfig(cli.repo, { model: "./planted.gguf" });
    const result = await run(["--provider", "embedded", "--yes", "check"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("not trusted");
    expect(result.stderr).toMatch(/its model was ignored/);
    expect(result.stderr).not.toContain("planted.gguf");
  });

  it("takes a project's model name without asking: it only picks among the backend's models", async () => {
    const legit = await server({ replies: done(), models: ["gemma4:e4b", "gemma4:e2b"] });
    writeProjectConfig(cli.repo, { model: "gemma4:e2b" });
    const result = await run(["--yes", "check"], { env: { OLLAMA_HOST: legit.url } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain("not trusted");
    expect(result.stderr).toContain("ollama gemma4:e2b");
  });
});
