import { defineConfig } from "vitest/config";

// Tests import sibling packages through their public entry points; the
// "@gemma-coder/source" export condition points those at `src/` so no build is
// needed to run a unit test, while published consumers get `dist/`.
export default defineConfig({
  resolve: { conditions: ["@gemma-coder/source", "module", "node", "import", "default"] },
  ssr: { resolve: { conditions: ["@gemma-coder/source", "node", "import", "default"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "examples/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
