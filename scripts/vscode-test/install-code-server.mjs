// Installs code-server (pinned) from npm into the runner's cache folder, or reuses the copy
// already there. The install works offline apart from the npm registry: see
// ../shared/docs/vscode-testing.md for why each environment variable below is needed.
import { execFileSync, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { cacheDir, codeServerVersion } from "./paths.mjs";
import { ripgrepPath } from "./prerequisites.mjs";

/** The ripgrep archive `@vscode/ripgrep` (as pinned by this code-server) looks for in its cache. */
const ripgrepCache = {
  folder: "vscode-ripgrep-cache-1.15.11",
  archive: "ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz",
};

/**
 * The code-server launcher of the cached install, installing it first when it is missing.
 *
 * @param log - Receives progress lines.
 * @returns The absolute path of `code-server`'s bin script.
 */
export async function ensureCodeServer(log = (line) => process.stdout.write(`${line}\n`)) {
  const root = cacheDir();
  const target = path.join(root, `code-server-${codeServerVersion}`);
  if (isInstalled(target)) return binOf(target);
  mkdirSync(root, { recursive: true });
  log(`vscode-test: installing code-server@${codeServerVersion} into ${target} (once; ~2 min)`);
  // A fresh folder per attempt, renamed into place when complete: an interrupted install
  // never looks finished, and two runs installing at once cannot mix their files.
  const staging = mkdtempSync(path.join(root, `.installing-${codeServerVersion}-`));
  try {
    await npmInstall(staging);
    writeFileSync(path.join(staging, ".installed"), `${codeServerVersion}\n`);
    try {
      renameSync(staging, target);
    } catch (error) {
      if (!isInstalled(target)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binOf(target);
}

function isInstalled(folder) {
  const marker = path.join(folder, ".installed");
  return existsSync(marker) && readFileSync(marker, "utf8").trim() === codeServerVersion;
}

function binOf(folder) {
  return path.join(folder, "node_modules", "code-server", "out", "node", "entry.js");
}

/** Runs `npm install code-server@<pinned>` in `folder` with the offline workarounds. */
async function npmInstall(folder) {
  writeFileSync(
    path.join(folder, "package.json"),
    `${JSON.stringify({ name: "vscode-test-code-server", private: true }, null, 2)}\n`,
  );
  const scratch = path.join(folder, ".scratch");
  const tmp = path.join(scratch, "tmp");
  const home = path.join(scratch, "home");
  mkdirSync(home, { recursive: true });
  packRipgrep(tmp);
  const env = {
    ...npmFreeEnv(),
    // code-server's postinstall refuses to run as root without it.
    npm_config_unsafe_perm: "true",
    // node-pty's postinstall runs `npx node-gyp`, which would wait for a yes.
    npm_config_yes: "true",
    npm_config_cache: npmCache(),
    ...nodeHeaders(),
    npm_config_fund: "false",
    npm_config_audit: "false",
    npm_config_update_notifier: "false",
    // @vscode/ripgrep looks for its archive under TMPDIR before downloading from GitHub.
    TMPDIR: tmp,
    // Postinstall scripts write under HOME; keep the user's own folder out of it.
    HOME: home,
  };
  const args = ["install", "--no-save", "--no-package-lock", `code-server@${codeServerVersion}`];
  const output = await runCaptured("npm", args, { cwd: folder, env });
  writeFileSync(path.join(folder, "npm-install.log"), output.text);
  if (output.code !== 0) {
    const tail = output.text.split("\n").slice(-30).join("\n");
    throw new Error(
      `vscode-test: npm install of code-server failed (exit ${output.code}):\n${tail}`,
    );
  }
  rmSync(scratch, { recursive: true, force: true });
}

/** Packs Debian's rg as the archive @vscode/ripgrep's postinstall would download. */
function packRipgrep(tmp) {
  const folder = path.join(tmp, ripgrepCache.folder);
  mkdirSync(folder, { recursive: true });
  execFileSync("tar", [
    "-czf",
    path.join(folder, ripgrepCache.archive),
    "-C",
    path.dirname(ripgrepPath),
    path.basename(ripgrepPath),
  ]);
}

/**
 * The environment without the variables a package manager sets for the scripts it runs
 * (`npm_config_*`, `npm_package_*`, the user agent...). Under `pnpm test:vscode` they are
 * pnpm's, and code-server's postinstall, which reads the user agent to learn how it is being
 * installed, then refuses to go on.
 */
function npmFreeEnv() {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(npm_|pnpm_)/i.test(name)),
  );
}

/**
 * Points node-gyp at this Node's installed headers: the native modules (argon2, kerberos,
 * node-pty) fall back to a source build when their prebuilt download fails offline, and
 * node-gyp would otherwise download the headers too.
 */
function nodeHeaders() {
  const prefix = path.dirname(path.dirname(process.execPath));
  return existsSync(path.join(prefix, "include", "node", "node.h"))
    ? { npm_config_nodedir: prefix }
    : {};
}

/** The user's npm cache, so a second cold install reuses the downloaded tarballs. */
function npmCache() {
  if (process.env.npm_config_cache) return process.env.npm_config_cache;
  try {
    return execFileSync("npm", ["config", "get", "cache"], {
      encoding: "utf8",
      env: npmFreeEnv(),
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return path.join(process.env.HOME ?? "/tmp", ".npm");
  }
}

function runCaptured(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (chunk) => {
      text += chunk;
    });
    child.stderr.on("data", (chunk) => {
      text += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, text }));
  });
}
