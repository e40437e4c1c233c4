import type { StreamPart } from "@gemma-coder/core";
import type { HttpClient, RequestSpec } from "../http/http-client.js";
import { decodeNdjson } from "./ndjson.js";
import { decodeSse } from "./sse.js";

/** Turns a provider's wire payloads into stream parts. */
export interface PayloadDecoder {
  /**
   * Decodes one payload (an SSE event's data, or one NDJSON line).
   *
   * @param data - The payload text.
   * @param event - The SSE event name, when framed as SSE.
   * @returns The parts it produces. Throws a typed error for an error payload.
   */
  push(data: string, event?: string): StreamPart[];
  /** `true` once the payload that ends the reply has arrived. */
  readonly complete: boolean;
  /**
   * Produces the final parts (the `finish` part) once the stream is over. Throws a
   * retryable `provider-stream` error when the body ended before the final payload.
   */
  end(): StreamPart[];
}

/**
 * Runs one streaming request: opens it, frames the body as SSE or NDJSON, decodes each
 * payload and yields its parts. Stops reading at the final payload. A JSON response to
 * an SSE request (a server or proxy that ignored `stream: true`) is decoded as one
 * payload. The `finally`
 * closes the response, so a consumer breaking out of its loop aborts the request and
 * the server stops generating.
 *
 * @param client - The provider's HTTP client.
 * @param spec - The request.
 * @param framing - How the body is framed.
 * @param decoder - The provider's payload decoder (one per attempt).
 * @returns The parts of the reply.
 */
export async function* streamAttempt(
  client: HttpClient,
  spec: RequestSpec,
  framing: "sse" | "ndjson",
  decoder: PayloadDecoder,
): AsyncGenerator<StreamPart> {
  const response = await client.open(spec);
  try {
    const contentType = response.headers.get("content-type") ?? "";
    if (framing === "sse" && /application\/json/i.test(contentType)) {
      // The server ignored `stream: true` (or a proxy buffered it): one JSON body holds the whole reply.
      const bodyDecoder = new TextDecoder();
      let text = "";
      for await (const chunk of response.chunks())
        text += bodyDecoder.decode(chunk, { stream: true });
      text += bodyDecoder.decode();
      if (text.trim().length > 0) yield* decoder.push(text);
    } else if (framing === "sse") {
      for await (const event of decodeSse(response.chunks())) {
        yield* decoder.push(event.data, event.event);
        if (decoder.complete) break;
      }
    } else {
      for await (const line of decodeNdjson(response.chunks())) {
        yield* decoder.push(line);
        if (decoder.complete) break;
      }
    }
    yield* decoder.end();
  } finally {
    response.close();
  }
}
