import type { IncomingMessage } from "node:http";
import type { FetchFunction, FetchInit, FetchResponse } from "@gemma-coder/providers";

/**
 * A `fetch` for the providers built on `node:http` / `node:https`, which Node has loaded
 * anyway. The providers accept any fetch; this one spares the CLI a second HTTP stack
 * (and its WebAssembly parser), which is most of what a one-shot run's memory would
 * otherwise grow by. It supports exactly what the providers use: a method, headers, a
 * string body, an abort signal, and a streamed response body read through `getReader()`.
 * Each request uses a fresh connection: a CLI run makes a handful of requests, and
 * closing the connection is also how a model backend learns to stop generating.
 *
 * @param url - The address.
 * @param init - Method, headers, body and signal.
 * @returns The response, as soon as its headers arrive.
 */
export const nodeFetch: FetchFunction = async (url: string, init: FetchInit) => {
  const target = new URL(url);
  const http =
    target.protocol === "https:" ? await import("node:https") : await import("node:http");
  const { signal } = init;
  if (signal.aborted) throw signal.reason;
  return new Promise<FetchResponse>((resolve, reject) => {
    const request = http.request(target, {
      method: init.method,
      headers: {
        ...init.headers,
        ...(init.body === undefined
          ? {}
          : { "content-length": String(Buffer.byteLength(init.body)) }),
      },
      agent: false,
    });
    let response: IncomingMessage | undefined;
    let fail: ((error: unknown) => void) | undefined;
    const onAbort = () => {
      const reason: unknown = signal.reason;
      request.destroy(reason instanceof Error ? reason : new Error("aborted"));
      fail?.(reason);
      reject(reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    request.on("error", (error) => {
      signal.removeEventListener("abort", onAbort);
      if (response) fail?.(error);
      else reject(error);
    });
    request.on("response", (res) => {
      response = res;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          fail = (error) => {
            try {
              controller.error(error);
            } catch {
              // Already closed.
            }
          };
          res.on("data", (chunk: Buffer) => {
            controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
            if ((controller.desiredSize ?? 1) <= 0) res.pause();
          });
          res.on("end", () => {
            signal.removeEventListener("abort", onAbort);
            try {
              controller.close();
            } catch {
              // Already errored.
            }
          });
          res.on("error", (error) => fail?.(error));
        },
        pull() {
          res.resume();
        },
        cancel() {
          signal.removeEventListener("abort", onAbort);
          res.destroy();
          request.destroy();
        },
      });
      resolve({
        status: res.statusCode ?? 0,
        headers: {
          get(name: string) {
            const value = res.headers[name.toLowerCase()];
            if (value === undefined) return null;
            return Array.isArray(value) ? value.join(", ") : value;
          },
        },
        body,
      });
    });
    request.end(init.body);
  });
};
