import { describe, expect, it } from "vitest";
import { readOnlyReason, readSettings } from "./settings.js";

describe("readSettings", () => {
  it("fills in the defaults", () => {
    expect(readSettings(() => undefined)).toEqual({
      provider: "auto",
      model: undefined,
      baseUrl: undefined,
      contextWindow: undefined,
      maxSteps: 40,
      constrainedDecoding: "auto",
      readOnly: false,
      approval: "ask",
    });
  });

  it("keeps valid values and drops wrong ones", () => {
    const values: Record<string, unknown> = {
      provider: "ollama",
      model: " gemma4:e2b ",
      baseUrl: "http://127.0.0.1:9999/",
      contextWindow: 16384,
      maxSteps: -3,
      constrainedDecoding: "sometimes",
      readOnly: true,
      approval: "auto-edits",
    };
    expect(readSettings((key) => values[key])).toEqual({
      provider: "ollama",
      model: "gemma4:e2b",
      baseUrl: "http://127.0.0.1:9999",
      contextWindow: 16384,
      maxSteps: 40,
      constrainedDecoding: "auto",
      readOnly: true,
      approval: "auto-edits",
    });
  });
});

describe("readOnlyReason", () => {
  const settings = readSettings(() => undefined);
  it("is read-only in an untrusted workspace whatever the setting", () => {
    expect(readOnlyReason(false, settings)).toMatch(/not trusted/);
  });
  it("follows the readOnly setting in a trusted workspace", () => {
    expect(readOnlyReason(true, settings)).toBeUndefined();
    expect(readOnlyReason(true, { ...settings, readOnly: true })).toMatch(/readOnly setting/);
  });
});
