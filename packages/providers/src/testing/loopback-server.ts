import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A request the loopback server received. */
export interface RecordedRequest {
  /** HTTP method. */
  method: string;
  /** Path and query. */
  url: string;
  /** Headers, lower-cased. */
  headers: IncomingHttpHeaders;
  /** The raw body. */
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
  /** Resolves when the socket that carried the request closes. */
  socketClosed: Promise<void>;
  /** Resolves when the response ends or its connection closes. */
  responseClosed: Promise<void>;
}

/** Handles one request. */
export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  request: RecordedRequest,
) => void | Promise<void>;

/** A `node:http` server on 127.0.0.1 with a random port, for tests. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[];
  /**
   * Sets the handlers for `METHOD /path`. They are used in order, one per request; the
   * last one then answers every further request.
   */
  route(key: string, ...handlers: Handler[]): void;
  /** Requests received for one `METHOD /path`. */
  requestsFor(key: string): RecordedRequest[];
  /** Sockets currently open. */
  openSockets(): number;
  /** Destroys every socket and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts a loopback HTTP server. Unknown routes answer 404 with a JSON error body.
 *
 * @returns The running server.
 */
export async function startLoopbackServer(): Promise<LoopbackServer> {
  const routes = new Map<string, Handler[]>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const socket = req.socket;
      const record: RecordedRequest = {
        method: req.method ?? "GET",
        url: req.url ?? "/",
        headers: req.headers,
        body,
        json,
        socketClosed: socket.destroyed
          ? Promise.resolve()
          : new Promise((resolve) => socket.once("close", () => resolve())),
        responseClosed: new Promise((resolve) => res.once("close", () => resolve())),
      };
      requests.push(record);
      const key = `${record.method} ${record.url.split("?")[0]}`;
      const queue = routes.get(key);
      const handler = queue && queue.length > 1 ? queue.shift() : queue?.[0];
      if (!handler) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            error: { code: 404, message: "File Not Found", type: "not_found_error" },
          }),
        );
        return;
      }
      Promise.resolve(handler(req, res, record)).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route(key, ...handlers) {
      routes.set(key, handlers);
    },
    requestsFor(key) {
      return requests.filter((request) => `${request.method} ${request.url.split("?")[0]}` === key);
    },
    openSockets: () => sockets.size,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The JSON body of a recorded request, failing the test when there is none.
 *
 * @param request - A recorded request.
 * @returns Its body as an object.
 */
export function jsonBody(request: RecordedRequest | undefined): Record<string, unknown> {
  const json = request?.json;
  if (typeof json !== "object" || json === null) throw new Error("the request had no JSON body");
  return json as Record<string, unknown>;
}
