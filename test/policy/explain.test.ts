import { describe, expect, it } from 'vitest';
import { formatExplain, selectTag } from '../../src/policy/index.js';
import { HOUR, NOW, candidate, context, policy } from './fixtures.js';

async function podinfo() {
  return selectTag({
    imageKey: 'podinfo',
    policy: policy({ semver: '^6.0.0', minAge: '24h' }),
    imageExclude: ['^cache-'],
    candidates: [
      '6.0.1',
      '6.0.2',
      { tag: '6.0.3', ageH: 2 },
      '6.1.0-rc.1',
      '7.0.0',
      'latest',
      `sha256-${'a'.repeat(64)}.sig`,
      'cache-1',
    ].map(candidate),
    context: context({ revertedTags: new Set(['6.0.1']) }),
  });
}

describe('formatExplain', () => {
  it('shows the choice, why, and every rejected tag best first', async () => {
    const text = formatExplain(await podinfo(), { environment: 'prod' });
    const lines = text.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'podinfo (prod)',
      `  chosen    6.0.2  ${candidate('6.0.2').digest.slice(0, 19)}  pushed ${new Date(NOW.getTime() - 48 * HOUR).toISOString()}`,
      '  why       6.0.2: highest of 3 versions in ^6.0.0 (1 reverted, 1 too young)',
      '  tags      8 considered, 1 eligible',
    ]);
    const rows = lines.slice(5).map((line) => line.trim().split(/\s{2,}/));
    expect(rows.map(([tag, reason]) => [tag, reason])).toEqual([
      ['7.0.0', 'out-of-range'],
      ['6.1.0-rc.1', 'prerelease'],
      ['6.0.3', 'too-young'],
      ['6.0.1', 'reverted'],
      [`sha256-${'a'.repeat(64)}.sig`, 'excluded-default'],
      ['cache-1', 'excluded'],
      ['latest', 'not-semver'],
    ]);
    expect(rows[2]?.[2]).toBe('pushed 2h ago; 22h left of minAge 1d');
  });

  it('sums up what is beyond the limit by reason', async () => {
    const text = formatExplain(await podinfo(), { limit: 2 });
    expect(text.split('\n').at(-1)).toBe(
      '    … 5 more: 1 too-young, 1 reverted, 1 excluded-default, 1 excluded, 1 not-semver',
    );
  });

  it('says when nothing was chosen', async () => {
    const decision = await selectTag({
      imageKey: 'api',
      policy: policy({ order: 'numerical' }),
      candidates: ['latest'].map(candidate),
      context: context(),
    });
    expect(formatExplain(decision)).toContain(
      '  chosen    none\n  why       no eligible tag among 1 tag (1 not numeric)',
    );
  });
});

describe('Decision', () => {
  it('serialises its lazily built lists to JSON like plain fields', async () => {
    const decision = await podinfo();
    const json = JSON.parse(JSON.stringify(decision)) as { ranked: { tag: string }[]; rejected: unknown[] };
    expect(json.ranked.map((c) => c.tag)).toEqual(['6.0.2']);
    expect(json.rejected).toHaveLength(7);
    expect({ ...decision }.rejected).toBe(decision.rejected);
  });

  it('builds its lists on first read only, then keeps them', async () => {
    const decision = await podinfo();
    expect(typeof Object.getOwnPropertyDescriptor(decision, 'rejected')?.get).toBe('function');
    expect(typeof Object.getOwnPropertyDescriptor(decision, 'ranked')?.get).toBe('function');
    expect(decision.rejected).toBe(decision.rejected);
    expect(decision.ranked).toBe(decision.ranked);
  });

  it('has no chosen field when nothing is eligible', async () => {
    const decision = await selectTag({
      imageKey: 'api',
      policy: policy({ semver: '^9.0.0' }),
      candidates: ['1.0.0'].map(candidate),
      context: context(),
    });
    expect('chosen' in decision).toBe(false);
  });

  it('names the chosen tag after the gate in the ranking and keeps the ranking complete', async () => {
    const tags = Array.from({ length: 300 }, (_, i) => `${i % 7}.${i % 11}.${i}`);
    const decision = await selectTag({
      imageKey: 'img',
      policy: policy({ semver: '>=2.0.0' }),
      candidates: tags.map(candidate),
      context: context(),
    });
    const ranked = decision.ranked.map((c) => c.tag);
    expect(ranked[0]).toBe(decision.chosen?.tag);
    expect(ranked).toHaveLength(tags.filter((t) => Number(t.split('.')[0]) >= 2).length);
    const outranked = decision.rejected.filter((r) => r.reason === 'outranked').map((r) => r.tag);
    expect(outranked).toEqual(ranked.slice(1));
  });
});
