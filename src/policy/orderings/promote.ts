import type { Ordering } from '../ordering.js';
import type { LiveInterval, SelectionContext } from '../types.js';

export interface SoakState {
  /** The longest time the tag was live in the source, in ms (an open interval counts until now). */
  readonly longestMs: number;
  /** Time the currently open interval still needs, when the tag is live now but not long enough. */
  readonly readyInMs?: number;
}

export function soakState(intervals: readonly LiveInterval[], nowMs: number, afterMs: number): SoakState {
  let longestMs = 0;
  let readyInMs: number | undefined;
  for (const interval of intervals) {
    const lasted = (interval.until?.getTime() ?? nowMs) - interval.since.getTime();
    longestMs = Math.max(longestMs, lasted);
    if (interval.until === undefined) readyInMs = Math.max(0, afterMs - lasted);
  }
  return longestMs >= afterMs || readyInMs === undefined ? { longestMs } : { longestMs, readyInMs };
}

/**
 * `promote: {from, after}`: among tags that were live in `from` for at least `after` in one
 * stretch, the one that went live there most recently (its latest go-live time), so a tag
 * the source rolled back to wins over the one it rolled back from.
 */
export function promoteOrdering(
  promote: { readonly from: string; readonly after: number },
  context: SelectionContext,
): Ordering<number> {
  const nowMs = context.now.getTime();
  const liveIn = context.liveIn;
  return {
    kind: 'promote',
    noun: 'go-live time',
    unparsed: 'not-promoted',
    parse(_text, candidate) {
      const intervals = liveIn?.get(candidate.tag);
      if (!intervals || intervals.length === 0) return undefined;
      let latest = -Infinity;
      for (const interval of intervals) latest = Math.max(latest, interval.since.getTime());
      return latest;
    },
    admit(_key, candidate) {
      if (context.health !== undefined) {
        const verdict = context.health.get(candidate.tag)?.state;
        if (verdict === 'failed') return 'unhealthy';
        if (verdict !== 'healthy') return 'awaiting-health';
      }
      const intervals = liveIn?.get(candidate.tag) ?? [];
      return soakState(intervals, nowMs, promote.after).longestMs >= promote.after ? undefined : 'soaking';
    },
    compare: (a, b) => (a === b ? 0 : a > b ? 1 : -1),
    show: (key) => new Date(key).toISOString(),
    describe: (count) =>
      count === 1
        ? `the only tag live in ${promote.from}`
        : `went live last of ${count} live in ${promote.from}`,
  };
}
