/**
 * Maps over items with at most `limit` calls in flight, keeping the order of results.
 * Checkpoints stat and hash thousands of files; one at a time is needlessly slow, all
 * at once runs out of file handles.
 *
 * @internal
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
