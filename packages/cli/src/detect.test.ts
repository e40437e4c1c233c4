import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deadPort, type ModelServer, startModelServer } from "./__fixtures__/model-server.mjs";
import { detectBackends, findGgufFiles, pickOllamaModel } from "./detect.js";

let dir: string;
const servers: ModelServer[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "gemma-coder-detect-"));
});
afterEach(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const server of servers.splice(0)) await server.close();
});

async function server(options: Parameters<typeof startModelServer>[0]) {
  const started = await startModelServer(options);
  servers.push(started);
  return started;
}

const base = async () => {
  const dead = `http://127.0.0.1:${await deadPort()}`;
  return { ollamaUrl: dead, llamaCppUrl: dead, modelsDir: dir, ollamaDefaultModel: "gemma4:e4b" };
};

describe("pickOllamaModel", () => {
  it("prefers the model asked for, then the default, then a Gemma 4, then any chat model", () => {
    const names = ["nomic-embed-text:latest", "qwen3:4b", "gemma3:4b", "gemma4:e2b"];
    expect(pickOllamaModel(names, "qwen3:4b", "gemma4:e4b")).toBe("qwen3:4b");
    expect(pickOllamaModel(names, "missing", "gemma4:e4b")).toBeUndefined();
    expect(pickOllamaModel([...names, "gemma4:e4b"], undefined, "gemma4:e4b")).toBe("gemma4:e4b");
    expect(pickOllamaModel(names, undefined, "gemma4:e4b")).toBe("gemma4:e2b");
    expect(pickOllamaModel(["nomic-embed-text:latest", "qwen3:4b"], undefined, "gemma4:e4b")).toBe(
      "qwen3:4b",
    );
    expect(pickOllamaModel(["nomic-embed-text:latest"], undefined, "gemma4:e4b")).toBeUndefined();
    expect(pickOllamaModel(["llama3:latest"], "llama3", "x")).toBe("llama3:latest");
  });
});

describe("detectBackends", () => {
  it("finds nothing when nothing is there", async () => {
    const detection = await detectBackends(await base());
    expect(detection).toEqual({ found: [], notes: [] });
  });

  it("prefers a running Ollama and picks its model", async () => {
    const ollama = await server({ models: ["gemma4:e2b"] });
    const llama = await server({ kind: "llama-cpp" });
    const detection = await detectBackends({
      ...(await base()),
      ollamaUrl: ollama.url,
      llamaCppUrl: llama.url,
      openRouterKey: "sk",
    });
    expect(detection.picked).toMatchObject({
      provider: "ollama",
      baseUrl: ollama.url,
      model: "gemma4:e2b",
    });
    expect(detection.found.map((entry) => entry.provider)).toEqual([
      "ollama",
      "llama-cpp",
      "openrouter",
    ]);
  });

  it("uses llama-server when Ollama has no chat model, and says why", async () => {
    const ollama = await server({ models: [] });
    const llama = await server({ kind: "llama-cpp" });
    const detection = await detectBackends({
      ...(await base()),
      ollamaUrl: ollama.url,
      llamaCppUrl: llama.url,
    });
    expect(detection.picked).toMatchObject({ provider: "llama-cpp", baseUrl: llama.url });
    expect(detection.notes[0]).toMatch(/ollama pull gemma4:e4b/);
  });

  it("takes a local backend over an OpenRouter key, and the key over nothing", async () => {
    expect(
      (await detectBackends({ ...(await base()), openRouterKey: "sk" })).picked?.provider,
    ).toBe("openrouter");
  });

  it("finds a cached GGUF, newest first, ignoring partial downloads", async () => {
    writeFileSync(path.join(dir, "old.gguf"), "x");
    utimesSync(path.join(dir, "old.gguf"), 1000, 1000);
    mkdirSync(path.join(dir, "sub"));
    writeFileSync(path.join(dir, "sub", "new.gguf"), "x");
    writeFileSync(path.join(dir, "big.gguf.partial"), "x");
    writeFileSync(path.join(dir, "empty.gguf"), "");
    expect(await findGgufFiles(dir)).toEqual([
      path.join(dir, "sub", "new.gguf"),
      path.join(dir, "old.gguf"),
    ]);
    const detection = await detectBackends(await base());
    expect(detection.picked).toMatchObject({
      provider: "embedded",
      model: path.join(dir, "sub", "new.gguf"),
    });
  });

  it("gives up on a server that does not answer within the deadline", async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const address = silent.address();
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    try {
      const detection = await detectBackends({ ...(await base()), ollamaUrl: url, timeoutMs: 100 });
      expect(detection.found).toEqual([]);
    } finally {
      silent.close();
    }
  });
});
