import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main, makeScratchRepo, type ProviderName } from "./main.js";

describe("the same task on three providers", () => {
  for (const name of ["ollama", "openrouter", "llama-cpp"] as ProviderName[]) {
    it(`fixes the bug through ${name}'s wire format`, async () => {
      const root = makeScratchRepo();
      try {
        const result = await main(name, undefined, root);
        expect(result).toMatchObject({ status: "done", steps: 4 });
        expect(readFileSync(join(root, "sum.js"), "utf8")).toContain("i < xs.length");
        // The run_shell result proves the fix ran: 6, not NaN.
        const shell = result.messages.find(
          (m) => m.role === "user" && m.content.includes("exit 0"),
        );
        expect(shell?.content).toContain("6");
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }
});
