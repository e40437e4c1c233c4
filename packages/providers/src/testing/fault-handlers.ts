import type { ServerResponse } from "node:http";
import type { Handler } from "./loopback-server.js";
import type { ScriptFinish, WireFormat } from "./wire-formats.js";

/** How a scripted stream misbehaves. */
export type StreamFault =
  | { kind: "none" }
  /** The socket is reset after `after` frames. */
  | { kind: "reset"; after: number }
  /** The server goes silent after `after` frames and never ends the response. */
  | { kind: "stall"; after: number }
  /** A malformed frame is written after `after` frames, then the stream continues. */
  | { kind: "malformed"; after: number }
  /** An error frame is written after `after` frames (inside the 200), then the response ends. */
  | { kind: "error-frame"; after: number; message: string }
  /** The body ends cleanly after `after` frames, without the final frame. */
  | { kind: "truncate"; after: number }
  /** Every byte is written on its own, with a pause between. */
  | { kind: "trickle"; delayMs: number };

/**
 * A handler that streams a scripted reply in a backend's wire format, with a fault.
 *
 * @param format - The wire format.
 * @param pieces - The text pieces.
 * @param finish - How the reply ends.
 * @param fault - What goes wrong.
 * @returns The handler.
 */
export function streamReply(
  format: WireFormat,
  pieces: readonly string[],
  finish: ScriptFinish = { reason: "eos" },
  fault: StreamFault = { kind: "none" },
): Handler {
  return async (_req, res) => {
    res.writeHead(200, { "content-type": format.contentType, "transfer-encoding": "chunked" });
    const frames = format.frames(pieces, finish);
    if (fault.kind === "trickle") {
      const bytes = Buffer.from(frames.join(""), "utf8");
      for (let index = 0; index < bytes.length; index++) {
        if (res.destroyed) return;
        res.write(bytes.subarray(index, index + 1));
        await pause(fault.delayMs);
      }
      res.end();
      return;
    }
    for (let index = 0; index < frames.length; index++) {
      if (res.destroyed) return;
      if ("after" in fault && index === fault.after) {
        switch (fault.kind) {
          case "reset":
            await pause(5);
            res.socket?.resetAndDestroy();
            return;
          case "stall":
            return;
          case "malformed":
            res.write(format.malformedFrame);
            break;
          case "error-frame":
            res.end(format.errorFrame(fault.message));
            return;
          case "truncate":
            res.end();
            return;
        }
      }
      res.write(frames[index]);
      await pause(0);
    }
    res.end();
  };
}

/**
 * A handler that answers with an HTTP error.
 *
 * @param format - The wire format (for the error body shape).
 * @param status - HTTP status.
 * @param message - The server's message.
 * @param headers - Extra headers (`Retry-After`).
 * @returns The handler.
 */
export function errorReply(
  format: WireFormat,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Handler {
  return (_req, res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(format.errorBody(status, message));
  };
}

/**
 * A handler that resets the connection before sending any header.
 *
 * @returns The handler.
 */
export function resetBeforeHeaders(): Handler {
  return (req) => {
    req.socket.resetAndDestroy();
  };
}

/**
 * A handler that never answers (the client must time out or abort).
 *
 * @returns The handler.
 */
export function neverAnswer(): Handler {
  return () => {};
}

/**
 * A handler that sends JSON.
 *
 * @param body - The value.
 * @param status - HTTP status.
 * @returns The handler.
 */
export function jsonReply(body: unknown, status = 200): Handler {
  return (_req, res: ServerResponse) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(body));
  };
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
