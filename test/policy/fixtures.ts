/** Builders for policy tests: candidates from short specs, policies through the real schema. */
import { createHash } from 'node:crypto';
import { policySchema, type Policy } from '../../src/config/schema.js';
import type { LiveInterval, SelectionContext } from '../../src/policy/index.js';
import type { ImageCandidate, ScanFacts } from '../../src/registry.js';

export const NOW = new Date('2026-11-25T12:00:00Z');
export const HOUR = 3_600_000;

export interface TagSpec {
  readonly tag: string;
  /** Hours before NOW; default 48. */
  readonly ageH?: number;
  /** Any text; hashed into a sha256 digest. Default: the tag. */
  readonly image?: string;
  readonly scan?: ScanFacts;
}

export function digestOf(image: string): string {
  return `sha256:${createHash('sha256').update(image).digest('hex')}`;
}

export function candidate(spec: TagSpec | string): ImageCandidate {
  const { tag, ageH = 48, image = tag, scan } = typeof spec === 'string' ? { tag: spec } : spec;
  return {
    tag,
    digest: digestOf(image),
    pushedAt: new Date(NOW.getTime() - ageH * HOUR),
    ...(scan ? { scan } : {}),
  };
}

export function policy(input: Record<string, unknown>): Policy {
  return policySchema.parse(input);
}

/** `[sinceHoursAgo, untilHoursAgo?]` pairs per tag. */
export type LiveSpec = Record<string, readonly (readonly [number, number?])[]>;

export function liveIn(spec: LiveSpec): Map<string, LiveInterval[]> {
  const at = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * HOUR);
  return new Map(
    Object.entries(spec).map(([tag, intervals]) => [
      tag,
      intervals.map(([since, until]) =>
        until === undefined ? { since: at(since) } : { since: at(since), until: at(until) },
      ),
    ]),
  );
}

export function context(extra: Partial<SelectionContext> = {}): SelectionContext {
  return { now: NOW, ...extra };
}

export function scan(counts: ScanFacts['counts'], status = 'COMPLETE'): ScanFacts {
  return { status, counts };
}

/** The same list in another order, deterministically (a fixed rotation and reversal). */
export function reordered<T>(items: readonly T[]): T[][] {
  const reversed = [...items].reverse();
  const middle = Math.floor(items.length / 2);
  const rotated = [...items.slice(middle), ...items.slice(0, middle)];
  const interleaved = [...items.filter((_, i) => i % 2 === 1), ...items.filter((_, i) => i % 2 === 0)];
  return [reversed, rotated, interleaved];
}
