import { describe, expect, it, vi } from "vitest";

// Loading core's testing entry point is an error in this file: the main entry and the
// modules it imports must not load it, only prepareDemo when it runs.
vi.mock("@gemma-coder/core/testing", () => {
  throw new Error("@gemma-coder/core/testing was loaded");
});

describe("@gemma-coder/sessions main entry", () => {
  it("does not import @gemma-coder/core/testing when it loads", async () => {
    const sessions = await import("./index.js");
    expect(typeof sessions.openSessions).toBe("function");
    expect(typeof sessions.prepareDemo).toBe("function");
  });
});
