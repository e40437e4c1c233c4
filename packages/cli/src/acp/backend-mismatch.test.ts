import { describe, expect, it } from "vitest";
import { backendMismatch } from "./backend-mismatch.js";

describe("backendMismatch", () => {
  it("says nothing when the folder names the connection's backend (or none, as the first)", () => {
    const chosen = { provider: "ollama" as const, baseUrl: "http://127.0.0.1:11434" };
    expect(backendMismatch(chosen, { ...chosen }, "/p")).toBeUndefined();
    expect(backendMismatch({}, {}, "/p")).toBeUndefined();
  });

  it("names the folder, what it asks for and the backend kept", () => {
    const line = backendMismatch(
      { provider: "ollama", model: "gemma4:e4b" },
      { provider: "llama-cpp", baseUrl: "http://127.0.0.1:8080" },
      "/work/two",
    );
    expect(line).toContain("/work/two ask for llama-cpp at http://127.0.0.1:8080");
    expect(line).toContain("already uses ollama model gemma4:e4b");
    expect(line).toContain("one model backend per connection");
  });
});
