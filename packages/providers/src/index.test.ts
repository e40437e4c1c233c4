import { describe, expect, it } from "vitest";

// Pins the runtime exports of every entry point, so an API change shows up in review.
describe("public exports", () => {
  it("@gemma-coder/providers", async () => {
    expect(Object.keys(await import("./index.js")).sort()).toEqual([
      "DEFAULT_RETRY",
      "DEFAULT_STOP",
      "DEFAULT_TIMEOUTS",
      "LLAMA_CPP_DEFAULT_URL",
      "OLLAMA_DEFAULT_MODEL",
      "OLLAMA_DEFAULT_NUM_CTX",
      "OLLAMA_DEFAULT_URL",
      "OPENROUTER_BASE_URL",
      "OPENROUTER_DEFAULT_MODEL",
      "OPENROUTER_FALLBACK_MODEL",
      "createLlamaCpp",
      "createOllama",
      "createOpenAICompatible",
      "createOpenRouter",
      "detectChatTemplate",
      "pickOllamaModel",
      "renderChatPrompt",
      "resolveOllamaHost",
    ]);
  });

  it("@gemma-coder/providers/ollama", async () => {
    expect(Object.keys(await import("./ollama.js")).sort()).toEqual([
      "OLLAMA_DEFAULT_MODEL",
      "OLLAMA_DEFAULT_NUM_CTX",
      "OLLAMA_DEFAULT_URL",
      "createOllama",
      "pickOllamaModel",
      "resolveOllamaHost",
      "trainedContextLength",
    ]);
  });

  it("@gemma-coder/providers/openrouter", async () => {
    expect(Object.keys(await import("./openrouter.js")).sort()).toEqual([
      "OPENROUTER_BASE_URL",
      "OPENROUTER_DEFAULT_MODEL",
      "OPENROUTER_FALLBACK_MODEL",
      "createOpenRouter",
    ]);
  });

  it("@gemma-coder/providers/llama-cpp", async () => {
    expect(Object.keys(await import("./llama-cpp.js")).sort()).toEqual([
      "LLAMA_CPP_DEFAULT_URL",
      "createLlamaCpp",
      "detectChatTemplate",
      "renderChatPrompt",
    ]);
  });

  it("@gemma-coder/providers/openai-compatible", async () => {
    expect(Object.keys(await import("./openai-compatible.js")).sort()).toEqual([
      "createOpenAICompatible",
    ]);
  });

  it("every factory returns a ModelProvider with the same shape, so switching is one line", async () => {
    const { createLlamaCpp, createOllama, createOpenAICompatible, createOpenRouter } = await import(
      "./index.js"
    );
    const providers = [
      createOllama(),
      createOpenRouter({ env: {} }),
      createLlamaCpp(),
      createOpenAICompatible({ baseUrl: "http://127.0.0.1:1234/v1" }),
    ];
    expect(providers.map((provider) => provider.id)).toEqual([
      "ollama",
      "openrouter",
      "llama-cpp",
      "openai-compatible",
    ]);
    for (const provider of providers) {
      expect(typeof provider.streamChat).toBe("function");
      expect(typeof provider.contextWindow).toBe("function");
      expect(typeof provider.listModels).toBe("function");
      expect(typeof provider.health).toBe("function");
      await provider.dispose();
    }
  });
});
