import { decodeLines } from "./line-decoder.js";

/**
 * Turns body chunks into the non-blank lines of a newline-delimited JSON stream.
 * Parsing is left to the caller so that it can report a malformed line with its
 * provider's name.
 *
 * @param chunks - Body chunks.
 * @returns Each non-blank line.
 */
export async function* decodeNdjson(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  for await (const line of decodeLines(chunks)) {
    if (line.trim().length > 0) yield line;
  }
}
