/**
 * A one-consumer queue that turns callbacks (the engine's text chunks) into an async
 * iterator. Pushing never blocks: the engine runs at its own pace and the consumer
 * drains what has arrived.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;
  private closed = false;
  private failure: { error: unknown } | undefined;

  /** Adds an item. Ignored after `close` or `fail`. */
  push(item: T): void {
    if (this.closed) return;
    this.items.push(item);
    this.notify();
  }

  /** Ends the iteration once the queued items are drained. */
  close(): void {
    this.closed = true;
    this.notify();
  }

  /** Ends the iteration with an error once the queued items are drained. */
  fail(error: unknown): void {
    if (this.closed) return;
    this.failure = { error };
    this.closed = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      while (this.items.length > 0) yield this.items.shift() as T;
      if (this.closed) {
        if (this.failure) throw this.failure.error;
        return;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }
}
