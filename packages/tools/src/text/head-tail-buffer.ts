/**
 * Collects a byte stream while keeping only its first `headBytes` and last `tailBytes`,
 * so memory stays bounded however much a command prints.
 */
export class HeadTailBuffer {
  /** Every byte pushed so far, kept or not. */
  totalBytes = 0;
  private readonly head: Buffer[] = [];
  private headLength = 0;
  private tail: Buffer[] = [];
  private tailLength = 0;

  /**
   * @param headBytes - How many leading bytes to keep.
   * @param tailBytes - How many trailing bytes to keep.
   */
  constructor(
    private readonly headBytes: number,
    private readonly tailBytes: number,
  ) {}

  /**
   * Adds a chunk.
   *
   * @param chunk - Bytes read from a stream.
   */
  push(chunk: Buffer): void {
    this.totalBytes += chunk.length;
    let rest = chunk;
    if (this.headLength < this.headBytes) {
      const take = Math.min(this.headBytes - this.headLength, rest.length);
      this.head.push(rest.subarray(0, take));
      this.headLength += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0 || this.tailBytes === 0) return;
    if (rest.length >= this.tailBytes) {
      // Copy so the big chunk the slice came from can be garbage collected.
      this.tail = [Buffer.from(rest.subarray(rest.length - this.tailBytes))];
      this.tailLength = this.tailBytes;
      return;
    }
    this.tail.push(Buffer.from(rest));
    this.tailLength += rest.length;
    while (this.tail.length > 0 && this.tailLength - this.tail[0]!.length >= this.tailBytes) {
      this.tailLength -= this.tail.shift()!.length;
    }
  }

  /** Bytes currently held in memory (for tests of the memory bound). */
  get retainedBytes(): number {
    return this.headLength + this.tailLength;
  }

  /**
   * Decodes what was kept.
   *
   * @returns The head text, the tail text and how many bytes between them were dropped.
   */
  read(): { head: string; tail: string; omittedBytes: number } {
    const head = Buffer.concat(this.head);
    let tail = Buffer.concat(this.tail);
    if (tail.length > this.tailBytes) tail = tail.subarray(tail.length - this.tailBytes);
    if (this.totalBytes === head.length + tail.length) {
      // Nothing was dropped: decode as one piece so no character is split at the seam.
      return { head: Buffer.concat([head, tail]).toString("utf8"), tail: "", omittedBytes: 0 };
    }
    // The cuts may split UTF-8 sequences: drop a partial character at either seam.
    let start = 0;
    while (start < tail.length && start < 4 && (tail[start]! & 0xc0) === 0x80) start++;
    tail = tail.subarray(start);
    const headText = head.toString("utf8").replace(/\uFFFD+$/, "");
    return {
      head: headText,
      tail: tail.toString("utf8"),
      omittedBytes: this.totalBytes - head.length - tail.length,
    };
  }
}
