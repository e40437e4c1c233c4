import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { hostFetch } from "./backend-opener.js";
import { detectBackends } from "./detect-backends.js";
import { BackendError, openBackend } from "./open-provider.js";
import { describeFailure } from "./run-failure.js";
import { readSettings } from "./settings.js";

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A loopback address where nothing listens: a server is started to get a port, then closed. */
async function closedPort(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** A loopback server that speaks enough of Ollama's API to be detected. */
async function fakeOllama(models: string[]): Promise<string> {
  server = createServer((req, res) => {
    res.writeHead(req.url === "/api/tags" ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify({ models: models.map((name) => ({ name, model: name })) }));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function settingsWith(values: Record<string, unknown>) {
  return readSettings((key) => values[key]);
}

function options(baseUrl: string | undefined, openRouterKey?: string, model?: string) {
  return {
    fetch: hostFetch,
    openRouterKey,
    detect: () =>
      detectBackends({
        baseUrl,
        model,
        hasOpenRouterKey: Boolean(openRouterKey),
        modelsDir: "/nonexistent",
        fetch: hostFetch,
      }),
  };
}

async function failureOf(promise: Promise<unknown>): Promise<BackendError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BackendError);
  return error as BackendError;
}

describe("openBackend", () => {
  it("with nothing at the configured address names it and says how to start a server or change the setting", async () => {
    const url = await closedPort();
    const error = await failureOf(openBackend(settingsWith({ baseUrl: url }), options(url)));
    expect(error.code).toBe("provider-connection");
    expect(error.message).toContain(url);
    expect(error.fix).toContain("ollama serve");
    expect(error.fix).toContain("llama-server");
    expect(error.fix).toContain("gemmaCoder.baseUrl");
    expect(describeFailure(error)).toEqual({ message: error.message, fix: error.fix });
  });

  it("names Ollama when Ollama was asked for and is down", async () => {
    const url = await closedPort();
    const error = await failureOf(
      openBackend(settingsWith({ provider: "ollama", baseUrl: url }), options(url)),
    );
    expect(error.message).toBe(`Cannot reach Ollama at ${url}: nothing answered.`);
  });

  it("names llama-server's command when llama-cpp was asked for and is down", async () => {
    const url = await closedPort();
    const error = await failureOf(
      openBackend(settingsWith({ provider: "llama-cpp", baseUrl: url }), options(url)),
    );
    expect(error.message).toContain(url);
    expect(error.fix).toContain("llama-server -m");
  });

  it("finds Ollama at the configured address and picks its Gemma model", async () => {
    const url = await fakeOllama(["nomic-embed-text", "gemma4:e2b"]);
    const opened = await openBackend(settingsWith({ baseUrl: url }), options(url));
    expect(opened.label).toBe("ollama gemma4:e2b");
    expect(opened.provider.id).toBe("ollama");
  });

  it("says which models Ollama has when the configured one is missing", async () => {
    const url = await fakeOllama(["gemma4:e2b"]);
    const error = await failureOf(
      openBackend(
        settingsWith({ provider: "ollama", baseUrl: url, model: "qwen3:4b" }),
        options(url, undefined, "qwen3:4b"),
      ),
    );
    expect(error.code).toBe("model-not-found");
    expect(error.fix).toContain("ollama pull qwen3:4b");
    expect(error.fix).toContain("gemma4:e2b");
  });

  it("asks for an OpenRouter key in the secret storage, sending nothing", async () => {
    const error = await failureOf(
      openBackend(settingsWith({ provider: "openrouter" }), options(undefined)),
    );
    expect(error.code).toBe("provider-auth");
    expect(error.fix).toContain("Set the OpenRouter API Key");
  });

  it("does not run a GGUF file in process, and says how to serve it", async () => {
    const error = await failureOf(
      openBackend(
        settingsWith({ provider: "embedded", model: "/models/gemma.gguf" }),
        options(undefined),
      ),
    );
    expect(error.fix).toContain('llama-server -m "/models/gemma.gguf"');
  });
});
