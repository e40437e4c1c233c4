// The programs from the system the runner needs. They come from apt, not npm: Debian's
// Chromium because Playwright's own browser download is not reachable offline, and ripgrep
// because code-server's search needs an `rg` binary and its npm package downloads one.
import { accessSync, constants } from "node:fs";

/** Debian's Chromium, which playwright-core drives. */
export const chromiumPath = "/usr/bin/chromium";
/** Debian's ripgrep, packed into the archive code-server's ripgrep package installs from. */
export const ripgrepPath = "/usr/bin/rg";

/** The apt packages the runner needs, named in the error when one is missing. */
export const aptPackages = ["chromium", "libkrb5-dev", "ripgrep"];

/**
 * Checks that Chromium and ripgrep are installed.
 *
 * @param paths - The programs to look for (the defaults outside tests).
 * @throws Error naming the missing programs and the apt command that installs them.
 */
export function checkPrerequisites(paths = { chromium: chromiumPath, rg: ripgrepPath }) {
  const missing = Object.entries(paths).filter(([, file]) => !isExecutable(file));
  if (missing.length === 0) return;
  const names = missing.map(([name, file]) => `${name} (${file})`).join(" and ");
  throw new Error(
    `vscode-test: ${names} not found. The VS Code tests need Debian's packages: ` +
      `apt-get update && apt-get install -y ${aptPackages.join(" ")}`,
  );
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
