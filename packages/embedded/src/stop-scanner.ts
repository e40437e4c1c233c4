/**
 * Finds stop sequences in streamed text. Text that might be the start of a stop
 * sequence is held back until the next chunk tells, so a stop sequence is never
 * streamed, even when it arrives split over several tokens.
 */
export class StopScanner {
  private held = "";
  private hit = false;

  /**
   * Creates a scanner.
   *
   * @param stops - The stop sequences; empty strings are ignored.
   */
  constructor(private readonly stops: readonly string[]) {}

  /** `true` once a stop sequence has been seen; later text is ignored. */
  get stopped(): boolean {
    return this.hit;
  }

  /**
   * Takes the next chunk of text.
   *
   * @param text - The chunk.
   * @returns The text that is safe to stream now (before any stop sequence).
   */
  push(text: string): string {
    if (this.hit) return "";
    const buffer = this.held + text;
    let end = -1;
    for (const stop of this.stops) {
      if (stop === "") continue;
      const at = buffer.indexOf(stop);
      if (at !== -1 && (end === -1 || at < end)) end = at;
    }
    if (end !== -1) {
      this.hit = true;
      this.held = "";
      return buffer.slice(0, end);
    }
    const keep = this.partialStopLength(buffer);
    this.held = buffer.slice(buffer.length - keep);
    return buffer.slice(0, buffer.length - keep);
  }

  /**
   * Ends the stream.
   *
   * @returns Text still held back (it turned out not to be a stop sequence).
   */
  flush(): string {
    const rest = this.hit ? "" : this.held;
    this.held = "";
    return rest;
  }

  /** The length of the longest end of `text` that begins some stop sequence. */
  private partialStopLength(text: string): number {
    let longest = 0;
    for (const stop of this.stops) {
      for (let n = Math.min(stop.length - 1, text.length); n > longest; n--) {
        if (text.endsWith(stop.slice(0, n))) {
          longest = n;
          break;
        }
      }
    }
    return longest;
  }
}
