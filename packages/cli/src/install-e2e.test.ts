// The CLI as a user installs it from a clone: `scripts/pack-cli.mjs` packs one
// self-contained tarball, plain npm installs it (offline: nothing may come from a
// registry), and the installed `gemma-coder` runs from the user's own project folder,
// far from the clone. Needs the built packages (`pnpm test` builds first).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingBuilds, ollama, packageDir, useCliHarness } from "./__fixtures__/cli-harness.js";
import { call } from "./__fixtures__/model-server.mjs";

const repoRoot = path.resolve(packageDir, "..", "..");
/** Some of what `pnpm run` puts in a script's environment (pnpm 10). */
const PNPM_SCRIPT_ENV = {
  npm_config_user_agent: "pnpm/10.0.0 npm/? node/v20.0.0 linux x64",
  npm_config_verify_deps_before_run: "false",
  npm_config_npm_globalconfig: "/usr/etc/npmrc",
  npm_config__jsr_registry: "https://npm.jsr.io/",
  npm_config_update_notifier: "false",
};
const cli = useCliHarness();
let work = "";
let installed = "";

/** Runs the installed bin to its end, with no stdin, from `cwd`. */
function runInstalled(args: string[], cwd: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(installed, args, {
      cwd,
      env: cli.baseEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(missingBuilds.length > 0 || process.platform === "win32")(
  "the CLI installed from a packed tarball",
  () => {
    beforeAll(() => {
      work = mkdtempSync(path.join(os.tmpdir(), "gemma-coder-install-"));
      const prefix = path.join(work, "prefix");
      // `pnpm install:cli` as the README says, with the settings pnpm hands its scripts;
      // the npm flags keep the test offline and the install out of the real global folder.
      const packed = spawnSync(
        process.execPath,
        [
          path.join(repoRoot, "scripts", "pack-cli.mjs"),
          "--out",
          work,
          "--install",
          "--",
          "--prefix",
          prefix,
          "--offline",
          "--omit=optional",
          "--no-audit",
          "--no-fund",
        ],
        { cwd: repoRoot, encoding: "utf8", env: { ...process.env, ...PNPM_SCRIPT_ENV } },
      );
      expect(packed.stderr).not.toMatch(/ERR!/);
      // npm used to warn about each of pnpm's settings it does not know.
      expect(packed.stderr).not.toMatch(/Unknown (env|project|user) config/);
      expect(packed.status).toBe(0);
      installed = path.join(prefix, "bin", "gemma-coder");
    }, 600_000);

    afterAll(() => {
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it("answers --version and --help from any folder", async () => {
      const { version } = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8"));
      const shown = await runInstalled(["--version"], os.tmpdir());
      expect(shown).toMatchObject({ code: 0, stdout: `${version}\n` });
      const help = await runInstalled(["--help"], os.tmpdir());
      expect(help.code).toBe(0);
      expect(help.stdout).toContain("gemma-coder: a coding agent for small local models.");
    });

    // The map and the syntax check after edits parse with tree-sitter grammars (wasm
    // files); without them the map only lists file names.
    it("maps the user's project with its grammars (definitions, not only file names)", async () => {
      const result = await runInstalled(["map"], cli.repo);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain("def add(a, b):");
    });

    it("fixes a bug in the user's own project, outside the clone", async () => {
      const model = await cli.server({
        replies: [
          call("edit_file", { path: "calc.py", old: "a - b", new: "a + b" }),
          call("done", { summary: "add() now adds." }),
        ],
      });
      expect(path.relative(repoRoot, cli.repo).startsWith("..")).toBe(true);
      const result = await runInstalled([...ollama(model.url), "--yes", "fix add"], cli.repo);
      expect(result.stderr).toContain(`gemma-coder · ollama gemma4:e4b at ${model.url}`);
      expect(result.code).toBe(0);
      expect(cli.read("calc.py")).toBe("def add(a, b):\n    return a + b\n");
    });
  },
);
