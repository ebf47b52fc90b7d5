import { describe, expect, it } from 'vitest';
import { selectTag, type ScanLookup } from '../../src/policy/index.js';
import type { ImageCandidate, ScanFacts } from '../../src/registry.js';
import { candidate, context, policy, scan, type TagSpec } from './fixtures.js';

const CLEAN = scan({});

interface GateCase {
  readonly name: string;
  readonly policy: Record<string, unknown>;
  readonly tags: readonly (TagSpec | string)[];
  /** What the lookup answers per tag; an Error is thrown. Tags not listed: clean. */
  readonly lookup?: Readonly<Record<string, ScanFacts | Error>>;
  readonly withoutLookup?: boolean;
  readonly chosen: string | undefined;
  /** Tags the lookup was called for, in order. */
  readonly lookups: readonly string[];
  readonly reasons?: Readonly<Record<string, string>>;
  readonly details?: Readonly<Record<string, string>>;
}

const CASES: readonly GateCase[] = [
  {
    name: 'without maxSeverity no lookup ever happens',
    policy: { semver: '*' },
    tags: ['1.0.0', '2.0.0'],
    lookup: { '2.0.0': scan({ CRITICAL: 9 }) },
    chosen: '2.0.0',
    lookups: [],
  },
  {
    name: 'the best image passes: one lookup',
    policy: { semver: '*', maxSeverity: 'HIGH' },
    tags: ['1.0.0', '2.0.0', '3.0.0'],
    chosen: '3.0.0',
    lookups: ['3.0.0'],
  },
  {
    name: 'a CRITICAL finding above HIGH: the next best is looked up',
    policy: { semver: '*', maxSeverity: 'HIGH' },
    tags: ['1.0.0', '2.0.0', '3.0.0'],
    lookup: { '3.0.0': scan({ CRITICAL: 1, HIGH: 4, LOW: 2 }) },
    chosen: '2.0.0',
    lookups: ['3.0.0', '2.0.0'],
    reasons: { '3.0.0': 'severity', '1.0.0': 'outranked' },
    details: { '3.0.0': '1 CRITICAL above HIGH' },
  },
  {
    name: 'findings at the maximum severity pass',
    policy: { semver: '*', maxSeverity: 'HIGH' },
    tags: ['1.0.0'],
    lookup: { '1.0.0': scan({ HIGH: 3 }) },
    chosen: '1.0.0',
    lookups: ['1.0.0'],
  },
  {
    name: 'severities are listed highest first',
    policy: { semver: '*', maxSeverity: 'LOW' },
    tags: ['2.0.0', '1.0.0'],
    lookup: { '2.0.0': scan({ MEDIUM: 2, CRITICAL: 1, HIGH: 3 }) },
    chosen: '1.0.0',
    lookups: ['2.0.0', '1.0.0'],
    details: { '2.0.0': '1 CRITICAL, 3 HIGH, 2 MEDIUM above LOW' },
  },
  {
    name: 'UNDEFINED findings never block',
    policy: { semver: '*', maxSeverity: 'INFORMATIONAL' },
    tags: ['1.0.0'],
    lookup: { '1.0.0': scan({ UNDEFINED: 12, INFORMATIONAL: 1 }) },
    chosen: '1.0.0',
    lookups: ['1.0.0'],
  },
  {
    name: 'scan facts on the candidate need no lookup',
    policy: { semver: '*', maxSeverity: 'MEDIUM' },
    tags: [
      { tag: '2.0.0', scan: scan({ HIGH: 1 }) },
      { tag: '1.0.0', scan: CLEAN },
    ],
    chosen: '1.0.0',
    lookups: [],
    reasons: { '2.0.0': 'severity' },
  },
  {
    name: 'one lookup per image, not per tag',
    policy: { semver: '*', maxSeverity: 'HIGH' },
    tags: [{ tag: '2.0.0', image: 'bad' }, { tag: 'v2.0.0', image: 'bad' }, '1.0.0'],
    lookup: { 'v2.0.0': scan({ CRITICAL: 2 }) },
    chosen: '1.0.0',
    lookups: ['v2.0.0', '1.0.0'],
    reasons: { '2.0.0': 'severity', 'v2.0.0': 'severity' },
  },
  {
    name: 'a scan still in progress is unscanned (default skip)',
    policy: { semver: '*', maxSeverity: 'HIGH' },
    tags: ['2.0.0', '1.0.0'],
    lookup: { '2.0.0': scan({}, 'IN_PROGRESS') },
    chosen: '1.0.0',
    lookups: ['2.0.0', '1.0.0'],
    reasons: { '2.0.0': 'unscanned' },
    details: { '2.0.0': 'scan status IN_PROGRESS' },
  },
  {
    name: 'unscanned: allow takes an image whose scan is not done',
    policy: { semver: '*', maxSeverity: 'HIGH', unscanned: 'allow' },
    tags: ['2.0.0', '1.0.0'],
    lookup: { '2.0.0': scan({}, 'IN_PROGRESS') },
    chosen: '2.0.0',
    lookups: ['2.0.0'],
  },
  {
    name: 'enhanced scanning status ACTIVE counts as complete',
    policy: { semver: '*', maxSeverity: 'HIGH' },
    tags: ['2.0.0'],
    lookup: { '2.0.0': scan({ MEDIUM: 5 }, 'ACTIVE') },
    chosen: '2.0.0',
    lookups: ['2.0.0'],
  },
  {
    name: 'a failing lookup is an unknown scan, and its error is shown',
    policy: { semver: '*', maxSeverity: 'HIGH' },
    tags: ['2.0.0', '1.0.0'],
    lookup: { '2.0.0': new Error('ScanNotFoundException: no scan') },
    chosen: '1.0.0',
    lookups: ['2.0.0', '1.0.0'],
    reasons: { '2.0.0': 'unscanned' },
    details: { '2.0.0': 'scan lookup failed: ScanNotFoundException: no scan' },
  },
  {
    name: 'a failing lookup with unscanned: allow passes',
    policy: { semver: '*', maxSeverity: 'HIGH', unscanned: 'allow' },
    tags: ['2.0.0', '1.0.0'],
    lookup: { '2.0.0': new Error('throttled') },
    chosen: '2.0.0',
    lookups: ['2.0.0'],
  },
  {
    name: 'no lookup given: candidates without facts are unscanned',
    policy: { semver: '*', maxSeverity: 'HIGH' },
    tags: ['2.0.0', { tag: '1.0.0', scan: CLEAN }],
    withoutLookup: true,
    chosen: '1.0.0',
    lookups: [],
    reasons: { '2.0.0': 'unscanned' },
  },
  {
    name: 'every image fails: nothing chosen, every eligible image looked up once',
    policy: { semver: '^1.0.0', maxSeverity: 'LOW', minAge: '1h' },
    tags: ['1.0.0', '1.1.0', '1.2.0', { tag: '1.3.0', ageH: 0 }, '2.0.0'],
    lookup: {
      '1.0.0': scan({ MEDIUM: 1 }),
      '1.1.0': scan({ MEDIUM: 1 }),
      '1.2.0': scan({ MEDIUM: 1 }),
    },
    chosen: undefined,
    lookups: ['1.2.0', '1.1.0', '1.0.0'],
    reasons: { '1.3.0': 'too-young', '2.0.0': 'out-of-range', '1.0.0': 'severity' },
  },
];

describe('the scan gate', () => {
  it.each(CASES)('$name', async (row) => {
    const called: string[] = [];
    const lookup: ScanLookup = async (c: ImageCandidate) => {
      called.push(c.tag);
      const answer = row.lookup?.[c.tag] ?? CLEAN;
      if (answer instanceof Error) throw answer;
      return answer;
    };
    const decision = await selectTag({
      imageKey: 'img',
      policy: policy(row.policy),
      candidates: row.tags.map(candidate),
      context: context(),
      ...(row.withoutLookup ? {} : { scanLookup: lookup }),
    });
    expect(decision.chosen?.tag).toBe(row.chosen);
    expect(called).toEqual(row.lookups);
    const byTag = new Map(decision.rejected.map((r) => [r.tag, r]));
    for (const [tag, reason] of Object.entries(row.reasons ?? {}))
      expect(byTag.get(tag)?.reason, tag).toBe(reason);
    for (const [tag, detail] of Object.entries(row.details ?? {}))
      expect(byTag.get(tag)?.detail).toContain(detail);
  });

  it('costs one lookup per rejected image among thousands of tags', async () => {
    const tags = Array.from({ length: 5_000 }, (_, i) => `1.0.${i}`);
    let calls = 0;
    const decision = await selectTag({
      imageKey: 'img',
      policy: policy({ semver: '^1.0.0', maxSeverity: 'HIGH' }),
      candidates: tags.map(candidate),
      context: context(),
      scanLookup: async (c) => {
        calls += 1;
        return Number(c.tag.split('.')[2]) >= 4_990 ? scan({ CRITICAL: 1 }) : CLEAN;
      },
    });
    expect(decision.chosen?.tag).toBe('1.0.4989');
    expect(calls).toBe(11);
    expect(decision.summary).toBe('1.0.4989: highest of 5000 versions in ^1.0.0 (10 above HIGH)');
  });

  it('a lookup that throws synchronously is handled like a rejected promise', async () => {
    const decision = await selectTag({
      imageKey: 'img',
      policy: policy({ semver: '*', maxSeverity: 'HIGH' }),
      candidates: ['1.0.0'].map(candidate),
      context: context(),
      scanLookup: () => {
        throw new Error('boom');
      },
    });
    expect(decision.chosen).toBeUndefined();
    expect(decision.rejected[0]).toMatchObject({
      reason: 'unscanned',
      detail: 'scan lookup failed: boom (unscanned: skip)',
    });
  });
});
