import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

// Any npm command in the repository used to warn `Unknown project config
// "manage-package-manager-versions"` (a pnpm setting kept in .npmrc, which npm reads too).
// `npm pkg get` reads only the local package.json: no network.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const hasNpm = spawnSync("npm", ["--version"], { stdio: "ignore" }).status === 0;

// As a user types it: without the npm_config_* variables pnpm sets for the test run itself.
const userEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)),
);

it.skipIf(!hasNpm)("npm runs in the repository without warnings about its config", () => {
  const result = spawnSync("npm", ["pkg", "get", "name"], {
    cwd: root,
    encoding: "utf8",
    env: userEnv,
  });
  expect(result.status, result.stderr).toBe(0);
  expect(result.stdout.trim()).toBe('"gemma-coder-monorepo"');
  expect(result.stderr).not.toMatch(/Unknown (project|user) config/);
});
