#!/usr/bin/env node
// Checks the packages as they will be published: each one is packed with `pnpm pack`
// and the tarball is checked, not the workspace folder. Run after `pnpm build`
// (`pnpm check:packages`; CI runs it from .ci/run). Works offline: publint and
// @arethetypeswrong/cli are root devDependencies.
//
// For every tarball:
// - only dist/ (and bin/ for the CLI) besides package.json, README.md and LICENSE;
//   no src/, test fixtures, testing helpers or fast-check;
// - the manifest: no "@gemma-coder/source" condition, no workspace: ranges,
//   repository (with directory), homepage, bugs and keywords;
// - publint --strict and attw (node10, node16 CJS/ESM and bundler resolution);
// - @gemma-coder/sessions' main entry does not import @gemma-coder/core/testing.
// Then core is bundled for the browser and the bundle runs (see check-browser-bundle.mjs).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const packagesDir = path.join(root, "packages");
const failures = [];

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: "utf8", ...options });
  return { ok: result.status === 0, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

function fail(pkg, message) {
  failures.push(`${pkg}: ${message}`);
}

/** Files a tarball may carry: the build, the CLI's launcher, and what npm always adds. */
const ALLOWED = /^(dist\/.+|bin\/.+|package\.json|README\.md|LICENSE)$/;
const FORBIDDEN_IN_DIST = [/["']fast-check["']/, /__fixtures__/, /loopback-server/];

function checkFiles(name, files, unpacked) {
  for (const file of files) {
    if (!ALLOWED.test(file)) fail(name, `the tarball carries ${file}`);
  }
  for (const file of files.filter((f) => /^dist\/.+\.(c?js|d\.c?ts)$/.test(f))) {
    const text = readFileSync(path.join(unpacked, file), "utf8");
    for (const pattern of FORBIDDEN_IN_DIST) {
      if (pattern.test(text)) fail(name, `${file} mentions ${pattern}`);
    }
  }
}

function checkManifest(name, dir, manifest) {
  if (JSON.stringify(manifest.exports).includes("@gemma-coder/source")) {
    fail(name, 'the published exports keep the "@gemma-coder/source" condition');
  }
  const ranges = [manifest.dependencies, manifest.peerDependencies, manifest.optionalDependencies];
  if (JSON.stringify(ranges).includes("workspace:")) fail(name, "a workspace: range is left");
  if (manifest.repository?.directory !== `packages/${dir}`)
    fail(name, "repository.directory is missing or wrong");
  if (!manifest.repository?.url) fail(name, "repository.url is missing");
  if (!manifest.homepage) fail(name, "homepage is missing");
  if (!manifest.bugs?.url) fail(name, "bugs.url is missing");
  if (!Array.isArray(manifest.keywords) || manifest.keywords.length === 0)
    fail(name, "keywords are missing");
}

function checkSessionsEntry(unpacked) {
  for (const file of ["dist/index.js", "dist/index.cjs"]) {
    const text = readFileSync(path.join(unpacked, file), "utf8");
    // A static import or require; the demo's `await import(...)` is allowed.
    if (
      /(from\s*["']@gemma-coder\/core\/testing["']|require\(["']@gemma-coder\/core\/testing["']\))/.test(
        text,
      )
    ) {
      fail("@gemma-coder/sessions", `${file} imports @gemma-coder/core/testing at load time`);
    }
  }
}

const work = mkdtempSync(path.join(tmpdir(), "gemma-coder-packs-"));
try {
  for (const dir of readdirSync(packagesDir)) {
    const pkgDir = path.join(packagesDir, dir);
    const { name, private: isPrivate } = JSON.parse(
      readFileSync(path.join(pkgDir, "package.json"), "utf8"),
    );
    // Private packages are not published to npm (the VS Code extension ships as a .vsix).
    if (isPrivate) {
      console.log(`${name}: private, not published to npm; skipped`);
      continue;
    }
    const dest = path.join(work, dir);
    const packed = run("pnpm", ["pack", "--pack-destination", dest], { cwd: pkgDir });
    if (!packed.ok) {
      fail(name, `pnpm pack failed:\n${packed.output}`);
      continue;
    }
    const tarball = path.join(
      dest,
      readdirSync(dest).find((f) => f.endsWith(".tgz")),
    );
    const unpackDir = path.join(dest, "unpacked");
    run("mkdir", ["-p", unpackDir]);
    run("tar", ["xzf", tarball, "-C", unpackDir]);
    const unpacked = path.join(unpackDir, "package");
    const files = run("tar", ["tzf", tarball])
      .output.split("\n")
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ""));
    checkFiles(name, files, unpacked);
    checkManifest(name, dir, JSON.parse(readFileSync(path.join(unpacked, "package.json"), "utf8")));
    if (name === "@gemma-coder/sessions") checkSessionsEntry(unpacked);
    const publint = run(bin("publint"), ["--strict", tarball]);
    if (!publint.ok || !/All good/.test(publint.output)) fail(name, `publint:\n${publint.output}`);
    const attw = run(bin("attw"), [tarball, "--format", "ascii"]);
    if (!attw.ok) fail(name, `attw:\n${attw.output}`);
    console.log(
      `${name}: ${files.length} files, publint and attw ${publint.ok && attw.ok ? "pass" : "FAIL"}`,
    );
  }
  const browser = run(process.execPath, [path.join(root, "scripts", "check-browser-bundle.mjs")], {
    cwd: root,
  });
  console.log(browser.output.trim());
  if (!browser.ok) fail("@gemma-coder/core", "the browser bundle check failed");
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(
    `\n${failures.length} package problem(s):\n${failures.map((f) => `- ${f}`).join("\n")}`,
  );
  process.exit(1);
}
console.log("All packages pass.");
