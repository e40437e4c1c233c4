#!/usr/bin/env node
// Runs the VS Code extension's tests in a real VS Code (`pnpm test:vscode`): checks the
// system packages, installs code-server once into the cache, bundles the in-host tests,
// runs each suite in its own code-server and headless Chromium, and exits 0 only when every
// suite passed.
//
//   node scripts/vscode-test/main.mjs [--update-screenshots] [suite-name ...]
//
// --update-screenshots: after a suite passes, copy the screenshots it names (`screenshots`
// in suites.mjs) into the package, for its README. Without it the committed images stay as
// they are (a run never dirties the working tree).
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { bundleTests } from "./build-tests.mjs";
import { ensureCodeServer } from "./install-code-server.mjs";
import { installVsix, packageVsix } from "./install-vsix.mjs";
import { artifactsDir, repoRoot } from "./paths.mjs";
import { checkPrerequisites } from "./prerequisites.mjs";
import { trackFolder } from "./processes.mjs";
import { runSuite } from "./run-suite.mjs";

const extensionPath = path.join(repoRoot, "packages", "vscode");
const testsDir = path.join(extensionPath, "test-e2e");

async function main(args) {
  const updateScreenshots = args.includes("--update-screenshots");
  const argv = args.filter((arg) => !arg.startsWith("--"));
  checkPrerequisites();
  const codeServerBin = await ensureCodeServer();
  const { suites } = await import(pathToFileURL(path.join(testsDir, "suites.mjs")).href);
  const chosen = argv.length === 0 ? suites : suites.filter((suite) => argv.includes(suite.name));
  if (chosen.length === 0) throw new Error(`vscode-test: no suite named ${argv.join(", ")}`);
  // Bundled into a folder of this run's own, so two runs at once never share a file.
  const bundleDir = mkdtempSync(path.join(os.tmpdir(), "gemma-coder-vscode-tests-"));
  trackFolder(bundleDir);
  const bundles = await bundleTests(
    chosen.map((suite) => ({ name: suite.name, entry: path.join(testsDir, suite.entry) })),
    bundleDir,
  );
  const results = [];
  for (const suite of chosen) {
    const extension = suite.fromVsix ? installedFromVsix(codeServerBin) : { extensionPath };
    const result = await runSuite(
      {
        ...suite,
        ...extension,
        testsPath: bundles.get(suite.name),
        workspaceTemplate: suite.workspace ? path.join(testsDir, suite.workspace) : undefined,
      },
      { codeServerBin, artifactsDir: artifactsDir() },
    );
    results.push(result);
    if (updateScreenshots && result.code === 0) publishScreenshots(suite);
  }
  return summarize(results);
}

/**
 * Packages the extension and installs the .vsix with code-server into a scratch folder, for
 * a suite that runs the shipped form; the tests learn the installed folder from the
 * environment.
 */
function installedFromVsix(codeServerBin) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gemma-coder-vscode-vsix-"));
  trackFolder(dir);
  const { folder } = installVsix(codeServerBin, packageVsix(), dir);
  return { extensionPath: folder, env: { VSCODE_TEST_EXTENSION_FROM_VSIX: folder } };
}

/** Copies a passed suite's named screenshots into the extension's package. */
function publishScreenshots(suite) {
  for (const [name, target] of Object.entries(suite.screenshots ?? {})) {
    const destination = path.join(extensionPath, target);
    mkdirSync(path.dirname(destination), { recursive: true });
    copyFileSync(path.join(artifactsDir(), suite.name, `${name}.png`), destination);
    process.stdout.write(`vscode-test: updated ${path.relative(repoRoot, destination)}\n`);
  }
}

function summarize(results) {
  process.stdout.write("\nvscode-test summary\n");
  for (const result of results) {
    const verdict = result.code === 0 ? "pass" : `FAIL: ${result.reason ?? `exit ${result.code}`}`;
    process.stdout.write(
      `  ${result.name.padEnd(24)} ${(result.ms / 1000).toFixed(1).padStart(6)} s  ${verdict}\n`,
    );
  }
  process.stdout.write(`artifacts (screenshots, logs): ${artifactsDir()}\n`);
  return results.every((result) => result.code === 0) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
