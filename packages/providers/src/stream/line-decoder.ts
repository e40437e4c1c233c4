import { GemmaCoderError } from "@gemma-coder/core";

/** The default cap on one line: far above any real frame, far below a memory problem. */
export const DEFAULT_MAX_LINE_CHARS = 8 * 1024 * 1024;

/**
 * Splits a byte stream into text lines.
 *
 * Bytes may arrive one at a time, so a UTF-8 sequence or a `\r\n` pair can be split
 * across chunks; the decoder carries both over. Each byte is scanned once, which keeps
 * long streams linear. Accepts `\n`, `\r\n` and a lone `\r` as line ends (the SSE rules).
 * A line longer than `maxLineChars` (default 8 MiB) is refused with a `provider-stream`
 * error instead of being buffered: a server that sends one endless line must not fill
 * memory before the agent's reply cap ever sees the text.
 */
export class LineDecoder {
  private readonly decoder = new TextDecoder("utf-8");
  private partial = "";
  private pendingCarriageReturn = false;
  private readonly maxLineChars: number;

  /** @param options - `maxLineChars`: the longest line accepted. */
  constructor(options: { maxLineChars?: number } = {}) {
    this.maxLineChars = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  }

  /**
   * Feeds bytes and returns the lines they complete, without their line ends.
   *
   * @param bytes - The next chunk of the body.
   * @returns Zero or more complete lines.
   */
  push(bytes: Uint8Array): string[] {
    return this.split(this.decoder.decode(bytes, { stream: true }));
  }

  /**
   * Ends the stream and returns the last line if it had no line end.
   *
   * @returns The unterminated last line, if any.
   */
  flush(): string[] {
    const lines = this.split(this.decoder.decode());
    this.pendingCarriageReturn = false;
    if (this.partial.length > 0) {
      lines.push(this.partial);
      this.partial = "";
    }
    return lines;
  }

  private tooLong(): never {
    this.partial = "";
    throw new GemmaCoderError(
      `A line of the model's response stream is longer than ${this.maxLineChars} characters; the stream was stopped.`,
      { code: "provider-stream" },
    );
  }

  private split(text: string): string[] {
    const lines: string[] = [];
    let start = 0;
    let index = 0;
    if (this.pendingCarriageReturn && text.length > 0) {
      this.pendingCarriageReturn = false;
      // The "\r" that ended the previous chunk already closed its line; skip its "\n".
      if (text.charCodeAt(0) === 10) {
        start = 1;
        index = 1;
      }
    }
    for (; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code !== 10 && code !== 13) continue;
      if (this.partial.length + index - start > this.maxLineChars) this.tooLong();
      lines.push(this.partial + text.slice(start, index));
      this.partial = "";
      if (code === 13) {
        if (index + 1 === text.length) {
          this.pendingCarriageReturn = true;
        } else if (text.charCodeAt(index + 1) === 10) {
          index++;
        }
      }
      start = index + 1;
    }
    if (start < text.length) {
      if (this.partial.length + text.length - start > this.maxLineChars) this.tooLong();
      this.partial += text.slice(start);
    }
    return lines;
  }
}

/**
 * Turns a stream of byte chunks into a stream of text lines.
 *
 * @param chunks - Body chunks.
 * @returns The lines, without line ends.
 */
export async function* decodeLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new LineDecoder();
  for await (const chunk of chunks) {
    yield* decoder.push(chunk);
  }
  yield* decoder.flush();
}
