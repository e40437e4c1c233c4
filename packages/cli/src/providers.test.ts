import { GemmaCoderError } from "@gemma-coder/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  call,
  deadPort,
  type ModelServer,
  startModelServer,
} from "./__fixtures__/model-server.mjs";
import { createProvider, type ProviderChoice } from "./providers.js";

const servers: ModelServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
async function server(options: Parameters<typeof startModelServer>[0]) {
  const started = await startModelServer(options);
  servers.push(started);
  return started;
}

async function setupError(choice: ProviderChoice, env: Record<string, string> = {}) {
  try {
    const ready = await createProvider(choice, { env });
    await ready.provider.dispose?.();
  } catch (error) {
    if (GemmaCoderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a setup error");
}

describe("createProvider", () => {
  it("builds an Ollama provider that streams from the server", async () => {
    const ollama = await server({ replies: [call("done", { summary: "hi" })] });
    const ready = await createProvider({ provider: "ollama", baseUrl: ollama.url }, { env: {} });
    expect(ready.label).toBe(`ollama gemma4:e4b at ${ollama.url}`);
    let text = "";
    for await (const part of ready.provider.streamChat({
      messages: [{ role: "user", content: "x" }],
    })) {
      if (part.type === "text-delta") text += part.text;
    }
    expect(text).toContain('"name":"done"');
    await ready.provider.dispose?.();
  });

  it("reads OLLAMA_HOST when no address is given", async () => {
    const ollama = await server({});
    const ready = await createProvider(
      { provider: "ollama" },
      { env: { OLLAMA_HOST: ollama.url } },
    );
    expect(ready.label).toContain(ollama.url);
    await ready.provider.dispose?.();
  });

  it("picks a pulled model when the default is missing, and says so", async () => {
    const ollama = await server({ models: ["gemma4:e2b"] });
    const ready = await createProvider({ provider: "ollama", baseUrl: ollama.url }, { env: {} });
    expect(ready.provider.model).toBe("gemma4:e2b");
    expect(ready.notes[0]).toMatch(/gemma4:e4b is not pulled, so gemma4:e2b is used/);
    await ready.provider.dispose?.();
  });

  it("explains an unreachable Ollama: how to start it and where it looked", async () => {
    const url = `http://127.0.0.1:${await deadPort()}`;
    const error = await setupError({ provider: "ollama", baseUrl: url });
    expect(error.code).toBe("provider-connection");
    expect(error.message).toContain(`Cannot reach ollama at ${url}`);
    expect(error.message).toContain("ollama serve");
  });

  it("names the missing model and how to pull it", async () => {
    const ollama = await server({ models: ["qwen3:4b"] });
    const error = await setupError({
      provider: "ollama",
      baseUrl: ollama.url,
      model: "gemma4:e2b",
    });
    expect(error.code).toBe("model-not-found");
    expect(error.message).toContain("ollama pull gemma4:e2b");
    expect(error.message).toContain("qwen3:4b");
  });

  it("says when the address is not an Ollama server", async () => {
    const llama = await server({ kind: "llama-cpp" });
    const error = await setupError({ provider: "ollama", baseUrl: llama.url });
    expect(error.message).toMatch(/not Ollama.*--provider llama-cpp/);
  });

  it("checks llama-server's health", async () => {
    const llama = await server({ kind: "llama-cpp" });
    const ready = await createProvider({ provider: "llama-cpp", baseUrl: llama.url }, { env: {} });
    expect(ready.label).toBe(`llama-server at ${llama.url}`);
    await ready.provider.dispose?.();
    const dead = `http://127.0.0.1:${await deadPort()}`;
    expect((await setupError({ provider: "llama-cpp", baseUrl: dead })).message).toContain(
      "llama-server -m",
    );
  });

  it("needs an OpenRouter key and says where to get one", async () => {
    const error = await setupError({ provider: "openrouter" });
    expect(error.code).toBe("provider-auth");
    expect(error.message).toContain("OPENROUTER_API_KEY");
    expect(error.message).toContain("https://openrouter.ai/keys");
  });

  it("builds OpenRouter with a key without any request", async () => {
    const ready = await createProvider(
      { provider: "openrouter" },
      { env: { OPENROUTER_API_KEY: "sk-test" } },
    );
    expect(ready.label).toBe(
      "openrouter google/gemma-4-26b-a4b-it:free at https://openrouter.ai/api/v1",
    );
    await ready.provider.dispose?.();
  });
});
