import { GemmaCoderError } from "@gemma-coder/core";
import { describe, expect, it } from "vitest";
import { describeFailure } from "./run-failure.js";

describe("describeFailure", () => {
  it("gives a backend that went away mid-run the same advice as one that was never there", () => {
    const error = new GemmaCoderError("ollama: connection refused", {
      code: "provider-connection",
      provider: "ollama",
    });
    const problem = describeFailure(error);
    expect(problem.message).toBe("ollama: connection refused");
    expect(problem.fix).toContain("ollama serve");
    expect(problem.fix).toContain("gemmaCoder.baseUrl");
  });

  it("keeps any other error's message, without a made-up fix", () => {
    expect(describeFailure(new Error("disk full"))).toEqual({
      message: "disk full",
      fix: undefined,
    });
    expect(describeFailure("odd")).toEqual({ message: "odd", fix: undefined });
  });
});
