import { defineConfig } from "vitest/config";

// The runner's own tests start code-server and Chromium, so they run with `pnpm test:vscode`
// (which needs the apt packages), not with the unit tests of `pnpm test`.
export default defineConfig({
  test: {
    include: ["scripts/vscode-test/**/*.test.ts", "packages/vscode/test-e2e/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: "forks",
    fileParallelism: false,
  },
});
