import { GemmaCoderError } from "@gemma-coder/core";
import { describe, expect, it } from "vitest";
import { errorToJson, toJsonLine } from "./json-lines.js";

describe("toJsonLine", () => {
  it("keeps an error's code and message, which JSON.stringify alone drops", () => {
    const error = new GemmaCoderError("Cannot reach ollama.", {
      code: "provider-connection",
      provider: "ollama",
      isRetryable: true,
      cause: new Error("ECONNREFUSED"),
    });
    const line = toJsonLine({ type: "error", runId: "r", error });
    expect(line).not.toContain("\n");
    expect(JSON.parse(line)).toEqual({
      type: "error",
      runId: "r",
      error: {
        name: "GemmaCoderError",
        message: "Cannot reach ollama.",
        code: "provider-connection",
        provider: "ollama",
        isRetryable: true,
        cause: "ECONNREFUSED",
      },
    });
  });

  it("escapes newlines inside strings so each event stays on one line", () => {
    const line = toJsonLine({ type: "text-delta", text: "a\nb" });
    expect(line.split("\n")).toHaveLength(1);
    expect(JSON.parse(line).text).toBe("a\nb");
  });

  it("serialises anything thrown", () => {
    expect(errorToJson("plain")).toEqual({ message: "plain" });
  });
});
