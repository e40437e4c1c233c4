/**
 * Runs `work` on every item with at most `concurrency` at a time, taking items in order,
 * and stops taking new ones once `signal` fires (the ones running finish).
 *
 * Hand-written rather than a dependency: the usual pool libraries are ESM-only, which the
 * package's CommonJS build cannot load, and this is the whole of it.
 *
 * @param items - The work items.
 * @param concurrency - The most at a time (at least 1).
 * @param work - What to do with one item; it should not reject.
 * @param signal - Stops taking new items.
 */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  const workers = Math.max(1, Math.min(concurrency, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
}
