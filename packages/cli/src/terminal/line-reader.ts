import type { Readable } from "node:stream";

/**
 * Reads answers one line at a time from an input stream (the terminal, or a pipe in
 * tests). One reader serves the whole run, so lines that arrive early are not lost.
 */
export class LineReader {
  private readonly lines: string[] = [];
  private readonly waiters: ((line: string | undefined) => void)[] = [];
  private closed = false;
  private started = false;
  private close_: (() => void) | undefined;

  /** @param input - The stream to read. */
  constructor(private readonly input: Readable) {}

  /**
   * Waits for the next line.
   *
   * @returns The line without its end, or `undefined` at the end of the input.
   */
  async next(): Promise<string | undefined> {
    await this.start();
    const line = this.lines.shift();
    if (line !== undefined) return line;
    if (this.closed) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops reading, so the input no longer keeps the process alive. */
  close(): void {
    this.close_?.();
    this.finish();
  }

  private finish(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  private async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { createInterface } = await import("node:readline");
    // Not a readline "terminal": the terminal stays in cooked mode, so Ctrl-C still
    // sends SIGINT to the process while a question waits.
    const rl = createInterface({
      input: this.input,
      terminal: false,
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    rl.on("line", (line) => {
      const waiter = this.waiters.shift();
      if (waiter) waiter(line);
      else this.lines.push(line);
    });
    rl.on("close", () => this.finish());
    this.close_ = () => {
      rl.close();
      // readline leaves a paused-then-resumed stdin referenced; let it go.
      (this.input as Readable & { unref?: () => void }).unref?.();
    };
    if (this.closed) this.close_();
  }
}
