/**
 * Splits a byte stream into lines with bounded memory: a line longer than `maxLineBytes`
 * is cut and the rest of it dropped until the next newline.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private overflow = false;

  /**
   * @param maxLineBytes - The longest line kept.
   * @param onLine - Receives each complete line, without its `\n`.
   */
  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: Buffer) => void,
  ) {}

  /**
   * Feeds a chunk.
   *
   * @param chunk - Bytes from the stream.
   */
  push(chunk: Buffer): void {
    let from = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, from)) {
      this.keep(chunk.subarray(from, nl));
      this.emit();
      from = nl + 1;
    }
    if (from < chunk.length) this.keep(chunk.subarray(from));
  }

  /** Emits a last line that had no newline. */
  end(): void {
    if (this.pendingLength > 0 || this.overflow) this.emit();
  }

  private keep(piece: Buffer): void {
    const room = this.maxLineBytes - this.pendingLength;
    if (piece.length > room) this.overflow = true;
    if (room <= 0) return;
    const kept = piece.length > room ? piece.subarray(0, room) : piece;
    this.pending.push(Buffer.from(kept));
    this.pendingLength += kept.length;
  }

  private emit(): void {
    const line = Buffer.concat(this.pending, this.pendingLength);
    this.pending = [];
    this.pendingLength = 0;
    this.overflow = false;
    this.onLine(line);
  }
}
