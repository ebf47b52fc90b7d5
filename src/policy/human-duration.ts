const UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/**
 * For people: at most the two largest units, rounded up so "ready in" never promises too
 * early: 3h, 2h5m, 45s, 1d2h.
 */
export function humanDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1_000) return '1s';
  const largest = UNITS.findIndex(([, size]) => ms >= size);
  const precision = UNITS[Math.min(largest + 1, UNITS.length - 1)]![1];
  let rest = Math.ceil(ms / precision) * precision;
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    if (size < precision) break;
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count}${unit}`);
  }
  return parts.join('');
}
