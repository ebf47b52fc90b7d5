/**
 * Maps a synchronous task over items on this thread, giving the event loop a turn whenever a
 * slice of work has run for `sliceMs`, so timers, sockets and the HTTP server stay responsive
 * through a long run of blocking work (blocking reads of small files, parsing).
 */
export async function mapInSlices<T, R>(
  items: readonly T[],
  task: (item: T, index: number) => R,
  sliceMs = 10,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let sliceStart = performance.now();
  for (let index = 0; index < items.length; index += 1) {
    results[index] = task(items[index] as T, index);
    if (performance.now() - sliceStart >= sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  return results;
}
