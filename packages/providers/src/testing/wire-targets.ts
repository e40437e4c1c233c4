import type { ModelProvider } from "@gemma-coder/core";
import type { HttpProviderOptions } from "../http/options.js";
import { createLlamaCpp } from "../llama-cpp/llama-cpp-provider.js";
import { createOllama } from "../ollama/ollama-provider.js";
import { createOpenRouter } from "../openrouter/openrouter-provider.js";
import { localLlamaFixtures } from "./http-fixture.js";
import { replay } from "./llama-server-emulator.js";
import type { LoopbackServer } from "./loopback-server.js";
import {
  llamaCompletionWire,
  ollamaWire,
  openRouterWire,
  type WireFormat,
} from "./wire-formats.js";

/** A provider the tests can dispose of. */
export type DisposableProvider = ModelProvider & { dispose(): Promise<void> };

/** One backend's wire format, the route it streams on, and how to build its provider. */
export interface WireTarget {
  /** The wire format a loopback server speaks for it. */
  format: WireFormat;
  /** The streaming route, e.g. `POST /api/chat`. */
  route: string;
  /** Frames before the first one with text (OpenRouter starts with a comment). */
  lead: number;
  /** Creates the provider against a loopback server. */
  create(baseUrl: string, options: HttpProviderOptions): DisposableProvider;
  /** Routes the provider needs besides the streaming one. */
  setup?(server: LoopbackServer): void;
}

/**
 * The three streaming wire formats (Ollama NDJSON, OpenRouter SSE, llama-server
 * `/completion` SSE), for tests that drive the same scenario through each of them.
 */
export const WIRE_TARGETS: readonly WireTarget[] = [
  {
    format: ollamaWire,
    route: "POST /api/chat",
    lead: 0,
    create: (baseUrl, options) => createOllama({ baseUrl, ...options }),
  },
  {
    format: openRouterWire,
    route: "POST /chat/completions",
    lead: 1,
    create: (baseUrl, options) =>
      createOpenRouter({ baseUrl, apiKey: "sk-or-test", fallbackModels: [], ...options }),
  },
  {
    format: llamaCompletionWire,
    route: "POST /completion",
    lead: 0,
    create: (baseUrl, options) => createLlamaCpp({ baseUrl, ...options }),
    setup: (server) => server.route("GET /props", replay(localLlamaFixtures, "props")),
  },
];
