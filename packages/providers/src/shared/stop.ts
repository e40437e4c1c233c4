import type { ChatRequest } from "@gemma-coder/core";

/** The stop sequences sent when a request names none: the protocol's closing tag. */
export const DEFAULT_STOP: readonly string[] = Object.freeze(["</tool>"]);

/**
 * The stop sequences for a request: its own, or {@link DEFAULT_STOP} when it gives none.
 * An explicit empty list sends no stop sequence.
 *
 * @param request - The chat request.
 * @returns The stop sequences to send.
 */
export function resolveStops(request: ChatRequest): readonly string[] {
  return request.stop ?? DEFAULT_STOP;
}

/**
 * Tells a stop-sequence stop from an end-of-turn stop for servers that report both as
 * `"stop"`. A closing-tag stop such as `</tool>` is eaten by the server, so the reply
 * then ends inside an open `<tool>` element; any other reply ended on its own.
 *
 * @param text - The whole reply.
 * @param stops - The stop sequences sent.
 * @returns `"stop-sequence"` when the reply was cut by a closing-tag stop.
 */
export function inferStopReason(text: string, stops: readonly string[]): "stop" | "stop-sequence" {
  for (const stop of stops) {
    const match = /^<\/([^\s<>/]+)>$/.exec(stop);
    if (!match) continue;
    const open = text.lastIndexOf(`<${match[1]}>`);
    if (open !== -1 && text.indexOf(stop, open) === -1) return "stop-sequence";
  }
  return "stop";
}
