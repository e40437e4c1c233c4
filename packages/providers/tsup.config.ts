import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    ollama: "src/ollama.ts",
    openrouter: "src/openrouter.ts",
    "llama-cpp": "src/llama-cpp.ts",
    "openai-compatible": "src/openai-compatible.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  splitting: true,
  treeshake: true,
});
