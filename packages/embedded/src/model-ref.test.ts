import { homedir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultCacheDir, EMBEDDED_DEFAULT_MODEL, resolveModelRef } from "./model-ref.js";

describe("defaultCacheDir", () => {
  it("prefers GEMMA_CODER_CACHE, then XDG_CACHE_HOME, then ~/.cache", () => {
    expect(defaultCacheDir({ GEMMA_CODER_CACHE: "/tmp/m", XDG_CACHE_HOME: "/x" })).toBe(
      path.resolve("/tmp/m"),
    );
    expect(defaultCacheDir({ XDG_CACHE_HOME: "/x" })).toBe(
      path.join(path.resolve("/x"), "gemma-coder", "models"),
    );
    if (process.platform !== "win32") {
      expect(defaultCacheDir({})).toBe(path.join(homedir(), ".cache", "gemma-coder", "models"));
    }
  });
});

describe("EMBEDDED_DEFAULT_MODEL", () => {
  it("is a Hugging Face GGUF reference", () => {
    expect(resolveModelRef(EMBEDDED_DEFAULT_MODEL)).toMatchObject({ kind: "url" });
    expect(EMBEDDED_DEFAULT_MODEL).toMatch(/gemma-4-E2B.*\.gguf$/i);
  });
});
