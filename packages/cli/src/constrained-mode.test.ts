import { describe, expect, it } from "vitest";
import { constrainedModeFor } from "./constrained-mode.js";

describe("constrainedModeFor", () => {
  it("turns a grammar on by default where the backend enforces it, and only there", () => {
    expect(constrainedModeFor(undefined, "llama-cpp")).toBe("grammar");
    expect(constrainedModeFor(undefined, "embedded")).toBe("grammar");
    expect(constrainedModeFor(undefined, "ollama")).toBe("off");
    expect(constrainedModeFor(undefined, "openrouter")).toBe("off");
  });

  it("follows the setting when there is one", () => {
    expect(constrainedModeFor("off", "embedded")).toBe("off");
    expect(constrainedModeFor("json", "llama-cpp")).toBe("json-schema");
    expect(constrainedModeFor("grammar", "ollama")).toBe("grammar");
    expect(constrainedModeFor("auto", "ollama")).toBe("auto");
  });

  it("leaves the default grammar off under the native and json protocols", () => {
    expect(constrainedModeFor(undefined, "llama-cpp", "native")).toBe("off");
    expect(constrainedModeFor(undefined, "embedded", "json")).toBe("off");
    expect(constrainedModeFor(undefined, "llama-cpp", "text")).toBe("grammar");
    // An explicit setting is passed on; the Agent refuses what cannot work.
    expect(constrainedModeFor("grammar", "llama-cpp", "native")).toBe("grammar");
  });
});
