import { decodeLines } from "./line-decoder.js";

/** One server-sent event. */
export interface SseEvent {
  /** The `event:` field, `"message"` when absent. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** The `id:` field, when present. */
  id?: string;
}

/**
 * Assembles server-sent events from lines, following the EventSource framing rules:
 * comment lines (`: OPENROUTER PROCESSING`) are skipped, several `data:` lines join
 * with a newline, and an event is dispatched at the blank line that ends it.
 */
export class SseDecoder {
  private data: string[] = [];
  private event = "";
  private id: string | undefined;

  /**
   * Feeds one line and returns the event it completes, if any.
   *
   * @param line - A line without its line end.
   * @returns The completed event, or `undefined`.
   */
  push(line: string): SseEvent | undefined {
    if (line.length === 0) return this.dispatch();
    if (line.charCodeAt(0) === 58 /* ":" */) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case "data":
        this.data.push(value);
        break;
      case "event":
        this.event = value;
        break;
      case "id":
        this.id = value;
        break;
      default:
        // `retry:` and unknown fields carry nothing a one-shot request needs.
        break;
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    if (this.data.length === 0) {
      this.event = "";
      return undefined;
    }
    const event: SseEvent = { event: this.event || "message", data: this.data.join("\n") };
    if (this.id !== undefined) event.id = this.id;
    this.data = [];
    this.event = "";
    return event;
  }
}

/**
 * Turns body chunks into server-sent events. An event cut off by the end of the
 * body (no closing blank line) is dropped, as the EventSource rules say: the caller
 * then notices the stream ended before its final event.
 *
 * @param chunks - Body chunks.
 * @returns The events in order.
 */
export async function* decodeSse(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new SseDecoder();
  for await (const line of decodeLines(chunks)) {
    const event = decoder.push(line);
    if (event) yield event;
  }
}
