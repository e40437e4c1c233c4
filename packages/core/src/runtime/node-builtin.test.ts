import { afterEach, describe, expect, it, vi } from "vitest";
import { hasNodeBuiltins, importNodeBuiltin } from "./node-builtin.js";

describe("importNodeBuiltin", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("imports a node: module on Node", async () => {
    const path = await importNodeBuiltin<typeof import("node:path")>("node:path", "A test");
    expect(path.join("a", "b")).toBe(`a${path.sep}b`);
  });

  it("says what needs the module where there is no Node", async () => {
    vi.stubGlobal("process", undefined);
    expect(hasNodeBuiltins()).toBe(false);
    await expect(
      importNodeBuiltin("node:fs/promises", "The rulebook search"),
    ).rejects.toMatchObject({
      code: "unsupported",
      message:
        "The rulebook search needs Node's node:fs/promises, which this runtime does not have.",
    });
  });
});
