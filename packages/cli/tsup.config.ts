import { defineConfig } from "tsup";

export default defineConfig({
  // `help` is its own entry so the launcher can print it without loading anything else.
  entry: { index: "src/index.ts", help: "src/help.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  splitting: true,
  treeshake: true,
  // `import.meta.url` (used to find package.json) also works in the CJS build.
  shims: true,
});
