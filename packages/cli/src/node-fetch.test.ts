import { createServer, type Server, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { nodeFetch } from "./node-fetch.js";

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listen(
  handler: (body: string, res: ServerResponse, headers: Record<string, unknown>) => void,
) {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => handler(body, res, req.headers));
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
}

async function readAll(body: ReadableStream<Uint8Array> | null): Promise<string> {
  const reader = body?.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const result = await reader?.read();
    if (!result || result.done) return text + decoder.decode();
    text += decoder.decode(result.value, { stream: true });
  }
}

describe("nodeFetch", () => {
  it("sends the method, headers and body and streams the answer", async () => {
    const url = await listen((body, res, headers) => {
      res.writeHead(201, { "x-echo": String(headers["x-test"]), "content-type": "text/plain" });
      res.write(`got ${body}`);
      setTimeout(() => res.end(" and more"), 20);
    });
    const response = await nodeFetch(`${url}/path`, {
      method: "POST",
      headers: { "x-test": "yes", "content-type": "application/json" },
      body: '{"a":"é"}',
      signal: new AbortController().signal,
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("X-Echo")).toBe("yes");
    expect(response.headers.get("missing")).toBeNull();
    expect(await readAll(response.body)).toBe('got {"a":"é"} and more');
  });

  it("closes the connection when aborted mid-stream, so the server stops generating", async () => {
    let closed = false;
    const url = await listen((_body, res) => {
      res.writeHead(200);
      res.write("first");
      res.on("close", () => {
        closed = true;
      });
    });
    const controller = new AbortController();
    const response = await nodeFetch(url, {
      method: "GET",
      headers: {},
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    expect(new TextDecoder().decode((await reader?.read())?.value)).toBe("first");
    const pending = reader?.read();
    controller.abort(new Error("stop"));
    await expect(pending).rejects.toThrow("stop");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(true);
  });

  it("rejects at once when the signal is already aborted, and on a refused connection", async () => {
    const controller = new AbortController();
    controller.abort(new Error("early"));
    await expect(
      nodeFetch("http://127.0.0.1:9", { method: "GET", headers: {}, signal: controller.signal }),
    ).rejects.toThrow("early");
    await expect(
      nodeFetch("http://127.0.0.1:9", {
        method: "GET",
        headers: {},
        signal: new AbortController().signal,
      }),
    ).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("cancelling the body closes the connection", async () => {
    let closed = false;
    const url = await listen((_body, res) => {
      res.writeHead(200);
      res.write("x");
      res.on("close", () => {
        closed = true;
      });
    });
    const response = await nodeFetch(url, {
      method: "GET",
      headers: {},
      signal: new AbortController().signal,
    });
    await response.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(true);
  });
});
