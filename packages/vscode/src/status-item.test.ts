import { describe, expect, it } from "vitest";
import { statusText } from "./status-item.js";

describe("statusText", () => {
  it("starts with gemma-coder: and shows the backend and the state in words", () => {
    expect(statusText("ollama gemma4:e4b", "running")).toBe(
      "gemma-coder: ollama gemma4:e4b · running",
    );
    expect(statusText("ollama gemma4:e4b", "waiting-approval")).toBe(
      "gemma-coder: ollama gemma4:e4b · waiting for approval",
    );
    expect(statusText("llama-server at http://127.0.0.1:8080", "error")).toMatch(/· error$/);
  });

  it("is idle again after a run ends, and says when no backend was used yet", () => {
    expect(statusText("x", "done")).toBe("gemma-coder: x · idle");
    expect(statusText("x", "stopped")).toBe("gemma-coder: x · idle");
    expect(statusText("", "idle")).toBe("gemma-coder: no backend yet · idle");
  });
});
