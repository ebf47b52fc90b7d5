const UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `90s`, `15m`, `24h`, `7d`, `1h30m`, `500ms`, `2w`. */
export const DURATION_PATTERN = /^(?:\d+(?:ms|s|m|h|d|w))+$/;

/** Parses a duration such as `24h` or `1h30m` to milliseconds; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_PATTERN.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) {
    const unit = match[2] as keyof typeof UNITS_MS;
    total += Number(match[1]) * UNITS_MS[unit];
  }
  return total;
}

/** Renders milliseconds back as the largest exact units, e.g. 5_400_000 → `1h30m`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNITS_MS[unit];
    const count = Math.floor(rest / size);
    if (count > 0) {
      parts.push(`${count}${unit}`);
      rest -= count * size;
    }
  }
  return parts.join('');
}
