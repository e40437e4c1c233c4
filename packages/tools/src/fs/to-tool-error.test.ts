import { GemmaCoderError, ToolError } from "@gemma-coder/core";
import { describe, expect, it } from "vitest";
import { toToolError } from "./to-tool-error.js";

const errno = (code: string) =>
  Object.assign(new Error(`${code}: /very/secret/absolute/path`), { code });

describe("toToolError", () => {
  it("writes short messages that name only the workspace path", () => {
    const cases: [string, RegExp][] = [
      ["ENOENT", /^"a\.txt" does not exist/],
      ["EACCES", /^Permission denied: cannot write "a\.txt"/],
      ["EISDIR", /is a folder/],
      ["ENOSPC", /No space left/],
      ["EROFS", /read-only/],
      ["EWHATEVER", /^Could not write "a\.txt" \(EWHATEVER\)\.$/],
    ];
    for (const [code, message] of cases) {
      const error = toToolError(errno(code), "a.txt", "write");
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain("/very/secret");
      expect(GemmaCoderError.isInstance(error)).toBe(true);
      expect(error.code).toBe("tool-failed");
    }
  });

  it("passes SDK errors through", () => {
    const original = new ToolError("already for the model");
    expect(toToolError(original, "a", "read")).toBe(original);
  });
});
