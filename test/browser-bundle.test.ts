import { describe, expect, it } from "vitest";
// A plain .mjs script (also run by scripts/check-packages.mjs on the built dist/).
import { bundleAndRunInBrowserContext } from "../scripts/check-browser-bundle.mjs";

describe("@gemma-coder/core in a browser bundle", () => {
  it("bundles with esbuild --platform=browser and runs an agent where node: modules do not exist", async () => {
    const { bytes, result } = await bundleAndRunInBrowserContext({ source: true });
    expect(bytes).toBeGreaterThan(0);
    expect(result).toEqual({
      status: "done",
      summary: "2 + 3 = 5",
      toolResult: '<tool_result>\n{"ok":true,"value":5}\n</tool_result>',
      rulesInPrompt: true,
    });
  });
});
