import { describe, expect, it } from 'vitest';
import { rankCandidates, selectTag, type Decision, type SelectionContext } from '../../src/policy/index.js';
import type { ImageCandidate } from '../../src/registry.js';
import { candidate, context, digestOf, liveIn, policy, reordered } from './fixtures.js';
import { ALL_CASES, type SelectCase } from './select-cases.js';

function contextOf(row: SelectCase): SelectionContext {
  return context({
    ...(row.revertedTags ? { revertedTags: new Set(row.revertedTags) } : {}),
    ...(row.revertedImages ? { revertedDigests: new Set(row.revertedImages.map(digestOf)) } : {}),
    ...(row.live ? { liveIn: liveIn(row.live) } : {}),
  });
}

function select(row: SelectCase, candidates: readonly ImageCandidate[]): Promise<Decision> {
  return selectTag({
    imageKey: 'img',
    policy: policy(row.policy),
    ...(row.imageExclude ? { imageExclude: row.imageExclude } : {}),
    candidates,
    context: contextOf(row),
  });
}

describe('selectTag', () => {
  it('has a table of at least 60 cases', () => {
    expect(ALL_CASES.length).toBeGreaterThanOrEqual(60);
  });

  it.each(ALL_CASES)('$name', async (row) => {
    const candidates = row.tags.map(candidate);
    const decision = await select(row, candidates);
    expect(decision.chosen?.tag).toBe(row.chosen);

    const byTag = new Map(decision.rejected.map((rejection) => [rejection.tag, rejection]));
    for (const [tag, reason] of Object.entries(row.reasons ?? {}))
      expect(byTag.get(tag)?.reason, tag).toBe(reason);
    for (const [tag, detail] of Object.entries(row.details ?? {})) {
      expect(byTag.get(tag)?.detail, tag).toContain(detail);
    }
    if (row.summary !== undefined) expect(decision.summary).toBe(row.summary);

    // Every tag is either chosen or rejected, exactly once.
    const seen = [...decision.rejected.map((r) => r.tag), ...(decision.chosen ? [decision.chosen.tag] : [])];
    expect(seen.sort()).toEqual(candidates.map((c) => c.tag).sort());

    // The order of the listing never matters: same choice, same reasons, same order.
    for (const other of reordered(candidates)) {
      const again = await select(row, other);
      expect(again.chosen?.tag).toBe(decision.chosen?.tag);
      expect(again.rejected).toEqual(decision.rejected);
      expect(again.ranked.map((c) => c.tag)).toEqual(decision.ranked.map((c) => c.tag));
      expect(again.summary).toBe(decision.summary);
    }
  });
});

describe('rankCandidates', () => {
  it('orders every eligible tag best first and lists only rule rejections', () => {
    const candidates = ['1.0.0', '1.2.0', 'v1.1.0', '2.0.0', 'latest', '1.3.0-rc.1'].map(candidate);
    const { ranked, rejected } = rankCandidates({
      imageKey: 'img',
      policy: policy({ semver: '^1.0.0' }),
      candidates,
      context: context(),
    });
    expect(ranked.map((c) => c.tag)).toEqual(['1.2.0', 'v1.1.0', '1.0.0']);
    expect(rejected.map((r) => [r.tag, r.reason])).toEqual([
      ['2.0.0', 'out-of-range'],
      ['1.3.0-rc.1', 'prerelease'],
      ['latest', 'not-semver'],
    ]);
  });

  it('lists key-less rejections by rule order, then tag', () => {
    const candidates = ['zz', 'aa', `sha256-${'0'.repeat(64)}.att`, 'cache-1', '1.0.0'].map(candidate);
    const { rejected } = rankCandidates({
      imageKey: 'img',
      policy: policy({ semver: '*' }),
      imageExclude: ['^cache-'],
      candidates,
      context: context(),
    });
    expect(rejected.map((r) => r.reason)).toEqual([
      'excluded-default',
      'excluded',
      'not-semver',
      'not-semver',
    ]);
    expect(rejected.slice(2).map((r) => r.tag)).toEqual(['aa', 'zz']);
  });

  it('throws a ConfigError naming every problem of an invalid policy', () => {
    const run = () =>
      rankCandidates({
        imageKey: 'api',
        // Built by hand: the config schema would refuse it before the engine sees it.
        policy: { semver: 'not a range', pattern: '(', exclude: ['[a-'], unscanned: 'skip', digest: false },
        candidates: [],
        context: context(),
      });
    expect(run).toThrowError(/policy for image api is invalid/);
    try {
      run();
    } catch (error) {
      const paths = (error as { issues: { path: string }[] }).issues.map((issue) => issue.path);
      expect(paths).toEqual(['policies.api.semver', 'policies.api.pattern', 'policies.api.exclude[0]']);
    }
  });
});
