import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { GemmaCoderError } from "@gemma-coder/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { recordingSleep } from "../testing/collect.js";
import { type LoopbackServer, startLoopbackServer } from "../testing/loopback-server.js";
import { createHttpClient } from "./create-client.js";
import type { HttpClient } from "./http-client.js";

let server: LoopbackServer;
let client: HttpClient;

beforeEach(async () => {
  server = await startLoopbackServer();
  client = createHttpClient(
    {
      timeouts: { firstByteMs: 300, idleMs: 150 },
      retry: { maxRetries: 1 },
      sleep: recordingSleep(),
    },
    { id: "test", baseUrl: `${server.url}/` },
  );
});

afterEach(async () => {
  await client.dispose();
  await server.close();
});

async function readAll(spec: Parameters<HttpClient["open"]>[0]): Promise<string> {
  const response = await client.open(spec);
  let text = "";
  try {
    for await (const chunk of response.chunks()) text += new TextDecoder().decode(chunk);
  } finally {
    response.close();
  }
  return text;
}

async function failure(promise: Promise<unknown>): Promise<GemmaCoderError> {
  try {
    await promise;
  } catch (error) {
    if (GemmaCoderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

describe("HttpClient", () => {
  it("joins the base URL, sends JSON and the caller's headers", async () => {
    const custom = createHttpClient(
      { headers: { "x-extra": "1" } },
      { id: "test", baseUrl: `${server.url}/v1/`, headers: () => ({ authorization: "Bearer k" }) },
    );
    server.route("POST /v1/echo", (_req, res, request) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ got: request.json }));
    });
    expect(await custom.json({ method: "POST", path: "/echo", body: { a: 1 } })).toEqual({
      got: { a: 1 },
    });
    const [request] = server.requests;
    expect(request?.headers.authorization).toBe("Bearer k");
    expect(request?.headers["x-extra"]).toBe("1");
    expect(request?.headers["content-type"]).toBe("application/json");
    await custom.dispose();
  });

  it("fails with aborted before sending anything when the signal already fired", async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await failure(
      client.open({ method: "GET", path: "/x", signal: controller.signal }),
    );
    expect(error.code).toBe("aborted");
    expect(server.requests).toHaveLength(0);
  });

  it("aborts while waiting for headers and closes the connection", async () => {
    server.route("GET /slow", () => {});
    const controller = new AbortController();
    const pending = client.open({ method: "GET", path: "/slow", signal: controller.signal });
    await waitFor(() => server.requests.length === 1);
    controller.abort();
    expect((await failure(pending)).code).toBe("aborted");
    await server.requests[0]?.socketClosed;
  });

  it("aborts mid-body and closes the connection", async () => {
    server.route("GET /stream", (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first");
    });
    const controller = new AbortController();
    const response = await client.open({
      method: "GET",
      path: "/stream",
      signal: controller.signal,
    });
    const chunks = response.chunks();
    expect(new TextDecoder().decode((await chunks.next()).value)).toBe("first");
    const next = chunks.next();
    controller.abort();
    expect((await failure(next)).code).toBe("aborted");
    await server.requests[0]?.socketClosed;
  });

  it("releases the socket when the consumer closes early", async () => {
    server.route("GET /stream", (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first");
    });
    const response = await client.open({ method: "GET", path: "/stream" });
    for await (const _chunk of response.chunks()) break;
    response.close();
    await server.requests[0]?.socketClosed;
  });

  it("times out when no byte arrives within firstByteMs", async () => {
    server.route("GET /silent", () => {});
    const error = await failure(readAll({ method: "GET", path: "/silent" }));
    expect(error.code).toBe("provider-timeout");
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain("timeouts.firstByteMs");
    await server.requests[0]?.socketClosed;
  });

  it("counts the wait for the first body byte against firstByteMs, even after headers", async () => {
    server.route("GET /headers-only", (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.flushHeaders();
    });
    const error = await failure(readAll({ method: "GET", path: "/headers-only" }));
    expect(error.message).toContain("timeouts.firstByteMs");
  });

  it("times out when the stream stalls for idleMs", async () => {
    server.route("GET /stall", (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("some");
    });
    const error = await failure(readAll({ method: "GET", path: "/stall" }));
    expect(error.code).toBe("provider-timeout");
    expect(error.message).toContain("timeouts.idleMs");
  });

  it("does not count the consumer's own pauses as idle time", async () => {
    server.route("GET /burst", (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("a");
      setTimeout(() => res.end("b"), 20);
    });
    const response = await client.open({ method: "GET", path: "/burst" });
    let text = "";
    for await (const chunk of response.chunks()) {
      text += new TextDecoder().decode(chunk);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(text).toBe("ab");
  });

  it("reports a refused connection as a retryable connection error", async () => {
    const closed = await startLoopbackServer();
    const url = closed.url;
    await closed.close();
    const refused = createHttpClient(
      { retry: { maxRetries: 0 } },
      { id: "test", baseUrl: url, connectionHint: "Start the server." },
    );
    const error = await failure(refused.json({ method: "GET", path: "/" }));
    expect(error.code).toBe("provider-connection");
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain("Start the server.");
    await refused.dispose();
  });

  it("times out a connection that does not complete within connectMs", async () => {
    // A TCP listener that never answers the TLS handshake keeps the connection from completing.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    const slow = createHttpClient(
      { timeouts: { connectMs: 150, firstByteMs: 5000 }, retry: { maxRetries: 0 } },
      { id: "test", baseUrl: `https://127.0.0.1:${port}` },
    );
    try {
      const error = await failure(slow.json({ method: "GET", path: "/" }));
      expect(error.code).toBe("provider-timeout");
      expect(error.isRetryable).toBe(true);
      expect(error.message).toContain("150 ms (timeouts.connectMs)");
    } finally {
      await slow.dispose();
      silent.close();
    }
  });

  it("reads a non-2xx body into a classified error with Retry-After", async () => {
    server.route("GET /limited", (_req, res) => {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "3" });
      res.end(JSON.stringify({ error: { message: "slow down" } }));
    });
    const error = await failure(client.open({ method: "GET", path: "/limited" }));
    expect(error.code).toBe("rate-limited");
    expect(error.status).toBe(429);
    expect(error.retryAfterSeconds).toBe(3);
    expect(error.message).toContain("slow down");
    expect(error.message).toContain("Retry-After: 3 s");
  });

  it("retries JSON calls and reports a body that is not JSON", async () => {
    server.route(
      "GET /flaky",
      (_req, res) => {
        res.writeHead(502);
        res.end("bad gateway");
      },
      (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end("not json");
      },
    );
    const error = await failure(client.json({ method: "GET", path: "/flaky" }));
    expect(server.requests).toHaveLength(2);
    expect(error.message).toContain("not JSON");
  });

  it("closes its pooled keep-alive sockets on dispose and refuses new requests", async () => {
    server.route("GET /ok", (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
    await client.json({ method: "GET", path: "/ok" });
    expect(server.openSockets()).toBe(1);
    await client.dispose();
    await server.requests[0]?.socketClosed;
    expect((await failure(client.open({ method: "GET", path: "/ok" }))).code).toBe(
      "invalid-argument",
    );
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
