/** Exponential backoff with full jitter: attempt 1 → [0, base), attempt 2 → [0, 2·base), … capped. */
export function backoffDelay(attempt: number, random: () => number, baseMs = 200, capMs = 5_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
