#!/usr/bin/env node
// Packs the gemma-coder CLI from this clone into one self-contained npm tarball, so a user
// can put `gemma-coder` on their PATH with plain npm (no pnpm, no registry access for our
// own packages, which are not published):
//
//   pnpm build && node scripts/pack-cli.mjs            # writes gemma-coder-cli-<version>.tgz
//   pnpm build && node scripts/pack-cli.mjs --install  # ... and runs `npm install -g` on it
//
// The CLI and every @gemma-coder package it uses are bundled into `dist/` (third-party
// JavaScript included), so installing the tarball needs nothing from a registry. The one
// exception is the embedded engine: `@gemma-coder/embedded` ships inside the tarball as a
// bundled dependency, and its native engine `node-llama-cpp` is an optional dependency
// that npm installs when it can (`--omit=optional` leaves it out; the CLI then explains how
// to use a server backend instead).
//
// Options: --out <dir> (where the tarball goes, default: the current folder),
//          --install (then `npm install -g` it; extra npm flags after `--`).
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "tsup";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cliDir = path.join(repo, "packages", "cli");
const embeddedDir = path.join(repo, "packages", "embedded");

/** Reads the command line: `--out <dir>`, `--install`, and npm flags after `--`. */
function parseOptions(argv) {
  const end = argv.indexOf("--");
  const own = end === -1 ? argv : argv.slice(0, end);
  const npmFlags = end === -1 ? [] : argv.slice(end + 1);
  const outIndex = own.indexOf("--out");
  const out = outIndex === -1 ? process.cwd() : own[outIndex + 1];
  if (out === undefined) fail("--out needs a folder.");
  return { out: path.resolve(out), install: own.includes("--install"), npmFlags };
}

function fail(message) {
  process.stderr.write(`pack-cli: ${message}\n`);
  process.exit(2);
}

function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Bundles one built entry with everything but the named externals inlined. */
async function bundle(entry, outDir, external, format = "esm") {
  await build({
    entry,
    outDir,
    format: [format],
    platform: "node",
    target: "node20",
    splitting: format === "esm",
    treeshake: true,
    bundle: true,
    // Everything is inlined but the externals (tsup lets noExternal win over external,
    // so the externals are kept out of the pattern itself).
    noExternal:
      external.length === 0
        ? [/.*/]
        : [new RegExp(`^(?!(${external.map(escapeRegExp).join("|")})(/|$))`)],
    external,
    dts: false,
    sourcemap: false,
    clean: false,
    silent: true,
    config: false,
    // Some bundled CommonJS code calls require(); ESM output needs one defined.
    ...(format === "esm"
      ? {
          banner: {
            js: 'import { createRequire as __gcCreateRequire } from "node:module"; const require = __gcCreateRequire(import.meta.url);',
          },
        }
      : {}),
  });
}

function ensureBuilt() {
  for (const file of [
    path.join(cliDir, "dist", "index.js"),
    path.join(cliDir, "dist", "help.cjs"),
    path.join(embeddedDir, "dist", "index.js"),
  ]) {
    try {
      readFileSync(file);
    } catch {
      fail(`${path.relative(repo, file)} is missing: run \`pnpm build\` first.`);
    }
  }
}

/**
 * Stages the grammar files the repository map parses with (`GRAMMAR_WASM_FILES`, which
 * the map's own loader uses) as a bundled `tree-sitter-wasms` holding only those: the map
 * resolves them as `tree-sitter-wasms/out/<file>` from the bundle, and the package's other
 * grammars would add tens of megabytes for nothing. Returns that package's version.
 */
async function stageGrammars(stage, repomapRequire) {
  const { GRAMMAR_WASM_FILES } = await import(
    pathToFileURL(path.join(repo, "packages", "repomap", "dist", "index.js")).href
  );
  const source = path.dirname(repomapRequire.resolve("tree-sitter-wasms/package.json"));
  const pkg = readJson(path.join(source, "package.json"));
  const target = path.join(stage, "node_modules", "tree-sitter-wasms");
  for (const file of new Set(Object.values(GRAMMAR_WASM_FILES))) {
    cpSync(path.join(source, "out", file), path.join(target, "out", file));
  }
  writeFileSync(
    path.join(target, "package.json"),
    `${JSON.stringify({ name: pkg.name, version: pkg.version, license: pkg.license }, null, 2)}\n`,
  );
  return pkg.version;
}

async function stageCli(stage) {
  const cliPkg = readJson(path.join(cliDir, "package.json"));
  const embeddedPkg = readJson(path.join(embeddedDir, "package.json"));
  await bundle({ index: path.join(cliDir, "dist", "index.js") }, path.join(stage, "dist"), [
    "@gemma-coder/embedded",
    "node-llama-cpp",
  ]);
  // The launcher requires this one file for --help: CommonJS, in one piece.
  await bundle(
    { help: path.join(cliDir, "dist", "help.cjs") },
    path.join(stage, "dist"),
    [],
    "cjs",
  );
  // The bundled tree-sitter runtime loads its wasm from beside itself.
  const repomapRequire = createRequire(path.join(repo, "packages", "repomap", "package.json"));
  cpSync(
    repomapRequire.resolve("web-tree-sitter/tree-sitter.wasm"),
    path.join(stage, "dist", "tree-sitter.wasm"),
  );
  const grammarsVersion = await stageGrammars(stage, repomapRequire);
  cpSync(path.join(cliDir, "bin"), path.join(stage, "bin"), { recursive: true });
  for (const file of ["README.md"]) cpSync(path.join(cliDir, file), path.join(stage, file));
  cpSync(path.join(repo, "LICENSE"), path.join(stage, "LICENSE"));

  const embeddedStage = path.join(stage, "node_modules", "@gemma-coder", "embedded");
  await bundle(
    { index: path.join(embeddedDir, "dist", "index.js") },
    path.join(embeddedStage, "dist"),
    ["node-llama-cpp"],
  );
  writeFileSync(
    path.join(embeddedStage, "package.json"),
    `${JSON.stringify(
      {
        name: "@gemma-coder/embedded",
        version: embeddedPkg.version,
        description: embeddedPkg.description,
        license: embeddedPkg.license,
        type: "module",
        exports: { ".": "./dist/index.js", "./package.json": "./package.json" },
      },
      null,
      2,
    )}\n`,
  );

  const llama = embeddedPkg.dependencies?.["node-llama-cpp"];
  writeFileSync(
    path.join(stage, "package.json"),
    `${JSON.stringify(
      {
        name: cliPkg.name,
        version: cliPkg.version,
        description: cliPkg.description,
        license: cliPkg.license,
        type: "module",
        engines: cliPkg.engines,
        bin: cliPkg.bin,
        exports: { ".": "./dist/index.js", "./package.json": "./package.json" },
        files: ["dist", "bin", "README.md", "LICENSE"],
        dependencies: {
          "@gemma-coder/embedded": embeddedPkg.version,
          "tree-sitter-wasms": grammarsVersion,
        },
        bundleDependencies: ["@gemma-coder/embedded", "tree-sitter-wasms"],
        ...(llama ? { optionalDependencies: { "node-llama-cpp": llama } } : {}),
      },
      null,
      2,
    )}\n`,
  );
  return cliPkg.version;
}

/**
 * pnpm passes its own settings to the scripts it runs as `npm_config_*` variables; npm
 * reads them as its own and warns about each one it does not know (and would take pnpm's
 * rc file for its global config). npm gets the environment without those; what the user
 * set for npm (`npm_config_prefix`, a registry, a proxy) stays.
 */
const PNPM_ONLY_SETTINGS = new Set([
  "npm_config_verify_deps_before_run",
  "npm_config_npm_globalconfig",
  "npm_config__jsr_registry",
  "npm_config_globalconfig",
  "npm_config_frozen_lockfile",
  "npm_config_omit_lockfile_registry_resolved",
  "npm_config_reporter",
  "npm_config_user_agent",
]);

function npmEnv(env = process.env) {
  if (!/^pnpm\//.test(env.npm_config_user_agent ?? "")) return env;
  return Object.fromEntries(
    Object.entries(env).filter(([key]) => !PNPM_ONLY_SETTINGS.has(key.toLowerCase())),
  );
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  ensureBuilt();
  const stage = mkdtempSync(path.join(os.tmpdir(), "gemma-coder-pack-"));
  try {
    const version = await stageCli(stage);
    mkdirSync(options.out, { recursive: true });
    const name = execFileSync("npm", ["pack", "--silent", "--pack-destination", options.out], {
      cwd: stage,
      encoding: "utf8",
      env: npmEnv(),
      stdio: ["ignore", "pipe", "inherit"],
    })
      .trim()
      .split("\n")
      .pop();
    const tarball = path.join(options.out, name ?? `gemma-coder-cli-${version}.tgz`);
    process.stdout.write(`${tarball}\n`);
    if (options.install) {
      execFileSync("npm", ["install", "--global", ...options.npmFlags, tarball], {
        env: npmEnv(),
        stdio: "inherit",
      });
      process.stderr.write("Installed: run `gemma-coder --help` from any folder.\n");
    }
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

await main();
