import type { Handler } from "./loopback-server.js";
import type { WireFormat } from "./wire-formats.js";

/** The stop sequences a request body asks for, wherever its wire format puts them. */
export function requestedStops(body: unknown): string[] {
  if (typeof body !== "object" || body === null) return [];
  const record = body as { stop?: unknown; options?: { stop?: unknown } };
  const stop = record.stop ?? record.options?.stop;
  return Array.isArray(stop)
    ? stop.filter((entry): entry is string => typeof entry === "string")
    : [];
}

/** What a stop-honouring server generated, per request. */
export interface GenerationLog {
  /** Pieces (about a token each) generated per request, the stop sequence's included. */
  generated: number[];
  /** The stop sequences each request asked for. */
  stops: string[][];
}

/**
 * A handler that generates `pieces` the way a real server does with stop sequences: it
 * stops at the first piece that completes one of the request's stop strings, leaves the
 * stop string out of the streamed text, and reports a stop-word finish. The model has
 * no idea the `</tool>` it writes sits inside a JSON string, and neither has the server.
 *
 * @param format - The wire format.
 * @param pieces - What the model would generate, about a token per piece.
 * @param log - Where to count what was generated.
 * @returns The handler.
 */
export function stopHonouringReply(
  format: WireFormat,
  pieces: readonly string[],
  log: GenerationLog,
): Handler {
  return async (_req, res, request) => {
    const stops = requestedStops(request.json);
    log.stops.push(stops);
    let text = "";
    let sent = 0;
    let stopWord: string | undefined;
    for (const piece of pieces) {
      sent++;
      text += piece;
      stopWord = stops.find((stop) => text.includes(stop));
      if (stopWord !== undefined) {
        text = text.slice(0, text.indexOf(stopWord));
        break;
      }
    }
    log.generated.push(sent);
    const streamed: string[] = [];
    let consumed = 0;
    for (const piece of pieces.slice(0, sent)) {
      const keep = text.slice(consumed, consumed + piece.length);
      consumed += keep.length;
      if (keep !== "") streamed.push(keep);
    }
    res.writeHead(200, { "content-type": format.contentType, "transfer-encoding": "chunked" });
    const finish =
      stopWord === undefined
        ? ({ reason: "eos", outputTokens: sent } as const)
        : ({ reason: "stop-word", stopWord, outputTokens: sent } as const);
    for (const frame of format.frames(streamed, finish)) {
      if (res.destroyed) return;
      res.write(frame);
    }
    res.end();
  };
}
