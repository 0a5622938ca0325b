/**
 * `Promise.all(items.map(task))` with at most `limit` tasks running at once, results in input
 * order. Consume reads claim-checked bodies (up to ~1 MB each, 25 per batch) with it, so a batch
 * of large bodies is read and normalized a few at a time instead of all at once.
 */
export const mapLimit = async <T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> => {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};
