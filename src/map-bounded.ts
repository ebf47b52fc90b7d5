/**
 * Maps over items with at most `limit` tasks in flight; results keep the input order. Used for
 * repositories read at once, files read at once and environments reconciled at once. A task
 * that throws rejects the whole call, so tasks return their failures instead.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
  onSettled?: (done: number, total: number, item: T) => void,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      const item = items[index] as T;
      results[index] = await task(item, index);
      done += 1;
      onSettled?.(done, items.length, item);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, () => worker());
  await Promise.all(workers);
  return results;
}
