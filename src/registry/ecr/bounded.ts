/** Runs `task` over `items`, at most `limit` at once, reporting progress as each settles. */
export async function mapBounded<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
  onProgress?: (done: number, total: number, item: T) => void,
): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await task(item);
      done += 1;
      onProgress?.(done, items.length, item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
