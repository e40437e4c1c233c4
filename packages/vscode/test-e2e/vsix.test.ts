// The shipped form of the extension: `vsce package` makes a .vsix, and code-server (a real
// VS Code) installs it from the file. The installed folder holds the bundle and the manifest
// and nothing of the sources or node_modules.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureCodeServer } from "../../../scripts/vscode-test/install-code-server.mjs";
import { repoRoot } from "../../../scripts/vscode-test/paths.mjs";

const packageDir = path.join(repoRoot, "packages", "vscode");
const manifest = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as {
  publisher: string;
  name: string;
  version: string;
};
const id = `${manifest.publisher}.${manifest.name}`;
let scratch = "";
let codeServerBin = "";

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "gemma-coder-vsix-"));
  codeServerBin = await ensureCodeServer();
}, 600_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs code-server's command-line extension management with throw-away folders. */
function codeServer(args: string[]): string {
  return execFileSync(
    process.execPath,
    [
      codeServerBin,
      "--user-data-dir",
      path.join(scratch, "user-data"),
      "--extensions-dir",
      path.join(scratch, "extensions"),
      ...args,
    ],
    { encoding: "utf8", env: { ...process.env, HOME: path.join(scratch, "home") } },
  );
}

describe("the .vsix", () => {
  it("is packaged by vsce and installs into code-server", () => {
    execFileSync("pnpm", ["--filter", "gemma-coder-vscode", "package"], {
      cwd: repoRoot,
      stdio: "pipe",
    });
    const vsix = path.join(packageDir, "gemma-coder-vscode.vsix");
    expect(existsSync(vsix)).toBe(true);
    const installed = codeServer(["--install-extension", vsix]);
    expect(installed).toContain(`Extension 'gemma-coder-vscode.vsix' was successfully installed.`);
    expect(codeServer(["--list-extensions", "--show-versions"])).toContain(
      `${id}@${manifest.version}`,
    );
    const folder = path.join(scratch, "extensions", `${id}-${manifest.version}`);
    expect(existsSync(path.join(folder, "dist", "extension.js"))).toBe(true);
    expect(existsSync(path.join(folder, "dist", "webview.js"))).toBe(true);
    expect(readdirSync(folder)).not.toContain("node_modules");
    expect(readdirSync(folder)).not.toContain("src");
  });
});
