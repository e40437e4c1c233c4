import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

it("pins the runtime export list of @gemma-coder/embedded", async () => {
  expect(Object.keys(await import("./index.js")).sort()).toEqual([
    "DEFAULT_MODEL",
    "DEFAULT_MODEL_APPROX_BYTES",
    "EMBEDDED_DEFAULT_MODEL",
    "EMBEDDED_DEFAULT_MODEL_APPROX_BYTES",
    "createEmbedded",
    "defaultCacheDir",
    "downloadModel",
    "resolveModelRef",
  ]);
});

it("pins the runtime export list of @gemma-coder/embedded/testing", async () => {
  expect(Object.keys(await import("./testing.js")).sort()).toEqual([
    "buildTinyGguf",
    "writeTinyGguf",
  ]);
});

it("loads node-llama-cpp only on first use, so importing the package stays cheap", async () => {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  const files = (await readdir(dir, { recursive: true })).filter(
    (f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.includes("__fixtures__"),
  );
  for (const file of files) {
    const source = await readFile(path.join(dir, file), "utf8");
    for (const match of source.matchAll(/^import\s+(type\s+)?[^;]*?from\s+"node-llama-cpp";/gms)) {
      expect(match[1], `${file} imports node-llama-cpp eagerly`).toBe("type ");
    }
  }
  const provider = await readFile(path.join(dir, "create-embedded.ts"), "utf8");
  expect(provider).toContain('await import("node-llama-cpp")');
});
