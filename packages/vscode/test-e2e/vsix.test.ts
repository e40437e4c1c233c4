// The shipped form of the extension: `vsce package` makes a .vsix, and code-server (a real
// VS Code) installs it from the file. The installed folder holds the bundle and the manifest
// and nothing of the sources or node_modules. (The `vsix` suite then runs the installed copy.)
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureCodeServer } from "../../../scripts/vscode-test/install-code-server.mjs";
import {
  codeServerCli,
  installVsix,
  packageVsix,
} from "../../../scripts/vscode-test/install-vsix.mjs";

let scratch = "";
let codeServerBin = "";

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "gemma-coder-vsix-"));
  codeServerBin = await ensureCodeServer();
}, 600_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the .vsix", () => {
  it("is packaged by vsce and installs into code-server", () => {
    const packaged = packageVsix();
    expect(existsSync(packaged.vsix)).toBe(true);
    const { output, folder } = installVsix(codeServerBin, packaged, scratch);
    expect(output).toContain(
      `Extension '${path.basename(packaged.vsix)}' was successfully installed.`,
    );
    expect(
      codeServerCli(codeServerBin, scratch, ["--list-extensions", "--show-versions"]),
    ).toContain(`${packaged.id}@${packaged.version}`);
    expect(existsSync(path.join(folder, "dist", "extension.js"))).toBe(true);
    expect(existsSync(path.join(folder, "dist", "webview.js"))).toBe(true);
    expect(readdirSync(folder)).not.toContain("node_modules");
    expect(readdirSync(folder)).not.toContain("src");
  });
});
