// The extension as a user gets it: `vsce package` makes the .vsix, and code-server's
// command line installs it, as `code --install-extension` would.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./paths.mjs";

/** The extension's package folder. */
export const extensionDir = path.join(repoRoot, "packages", "vscode");

/**
 * Packages the extension (`pnpm --filter gemma-coder-vscode package`).
 *
 * @returns {{ vsix: string, id: string, version: string }} The .vsix path, the extension's
 *   id (`publisher.name`) and version.
 */
export function packageVsix() {
  execFileSync("pnpm", ["--filter", "gemma-coder-vscode", "package"], {
    cwd: repoRoot,
    stdio: "pipe",
  });
  const manifest = JSON.parse(readFileSync(path.join(extensionDir, "package.json"), "utf8"));
  return {
    vsix: path.join(extensionDir, `${manifest.name}.vsix`),
    id: `${manifest.publisher}.${manifest.name}`,
    version: manifest.version,
  };
}

/**
 * Runs code-server's extension management command line with throw-away folders under `dir`.
 *
 * @param {string} codeServerBin - code-server's entry script.
 * @param {string} dir - Holds `user-data`, `extensions` and `home`.
 * @param {string[]} args - E.g. `["--install-extension", vsix]`.
 * @returns {string} What it printed.
 */
export function codeServerCli(codeServerBin, dir, args) {
  return execFileSync(
    process.execPath,
    [
      codeServerBin,
      "--user-data-dir",
      path.join(dir, "user-data"),
      "--extensions-dir",
      path.join(dir, "extensions"),
      ...args,
    ],
    { encoding: "utf8", env: { ...process.env, HOME: path.join(dir, "home") } },
  );
}

/**
 * Installs a .vsix with code-server into `<dir>/extensions`.
 *
 * @param {string} codeServerBin - code-server's entry script.
 * @param {{ vsix: string, id: string, version: string }} packaged - From {@link packageVsix}.
 * @param {string} dir - The folder for code-server's state.
 * @returns {{ output: string, folder: string }} What code-server printed, and the installed
 *   extension's folder.
 */
export function installVsix(codeServerBin, packaged, dir) {
  const output = codeServerCli(codeServerBin, dir, ["--install-extension", packaged.vsix]);
  return { output, folder: path.join(dir, "extensions", `${packaged.id}-${packaged.version}`) };
}
