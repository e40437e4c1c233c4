/** A first-in, first-out queue with a size limit. */
export class Queue<T> {
  private items: T[] = [];

  constructor(private readonly limit: number) {}

  /** Adds an item; false when the queue is full. */
  push(item: T): boolean {
    if (this.items.length == this.limit) return false;
    this.items.push(item);
    return true;
  }

  /** Takes the oldest item, or undefined. */
  shift(): T | undefined {
    console.log("shift");
    return this.items.shift();
  }

  /** How many items wait. */
  get size(): number {
    var count = this.items.length;
    return count;
  }
}
