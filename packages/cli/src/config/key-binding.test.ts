import { describe, expect, it } from "vitest";
import { bindApiKey } from "./key-binding.js";
import type { Settings } from "./resolve-settings.js";

const USER = "/home/me/.config/gemma-coder/config.json";
const PROJECT = "/work/repo/.gemma-coder/config.json";

function settings(apiKeySource: string, baseUrlSource?: string): Settings {
  return {
    apiKey: "sk-secret",
    ...(baseUrlSource ? { baseUrl: "http://host:1" } : {}),
    sources: { apiKey: apiKeySource, ...(baseUrlSource ? { baseUrl: baseUrlSource } : {}) },
    files: [],
    foreign: [],
  };
}

describe("bindApiKey", () => {
  it("sends OPENROUTER_API_KEY to OpenRouter only, at its official host or a base URL the user set", () => {
    const env = settings("OPENROUTER_API_KEY");
    expect(bindApiKey(env, "openrouter", undefined, undefined)).toEqual({ apiKey: "sk-secret" });
    expect(bindApiKey(env, "openrouter", "http://host:1", "--base-url")).toEqual({
      apiKey: "sk-secret",
    });
    expect(bindApiKey(env, "llama-cpp", undefined, undefined)).toEqual({});
    expect(bindApiKey(env, "openrouter", "http://host:1", "OLLAMA_HOST")).toEqual({});
  });

  it("sends the user config's apiKey only to that file's baseUrl or the default host", () => {
    const user = settings(USER);
    expect(bindApiKey(user, "llama-cpp", undefined, undefined)).toEqual({ apiKey: "sk-secret" });
    expect(bindApiKey(user, "llama-cpp", "http://host:1", USER)).toEqual({ apiKey: "sk-secret" });
    for (const source of [PROJECT, "--base-url", "GEMMA_CODER_BASE_URL"]) {
      const bound = bindApiKey(user, "openrouter", "http://host:1", source);
      expect(bound.apiKey).toBeUndefined();
      expect(bound.withheld).toContain(`is not sent to http://host:1 (set by ${source})`);
    }
    const sameHost: Settings = {
      ...user,
      files: [
        { path: USER, kind: "user", config: { apiKey: "sk-secret", baseUrl: "http://host:1/" } },
      ],
    };
    expect(bindApiKey(sameHost, "llama-cpp", "http://host:1", "--base-url")).toEqual({
      apiKey: "sk-secret",
    });
  });
});
