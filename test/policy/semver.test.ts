import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { compareSemver, parseSemverTag, rangeNamesPrerelease, selectTag } from '../../src/policy/index.js';
import { compileRange } from '../../src/policy/semver-range.js';
import { candidate, context, policy } from './fixtures.js';

describe('parseSemverTag', () => {
  it.each([
    ['1.2.3', { major: 1, minor: 2, patch: 3, pre: [] }],
    ['v0.0.0', { major: 0, minor: 0, patch: 0, pre: [] }],
    ['1.2.3-rc.10', { major: 1, minor: 2, patch: 3, pre: ['rc', 10] }],
    ['1.2.3-0a.-.x-1', { major: 1, minor: 2, patch: 3, pre: ['0a', '-', 'x-1'] }],
    ['1.2.3+build.007', { major: 1, minor: 2, patch: 3, pre: [] }],
    ['1.2.3-alpine+sha.1', { major: 1, minor: 2, patch: 3, pre: ['alpine'] }],
  ])('%s', (text, expected) => {
    expect(parseSemverTag(text)).toEqual(expected);
  });

  it.each([
    '',
    'v',
    '1',
    '1.2',
    '1.2.3.4',
    '01.2.3',
    '1.02.3',
    '1.2.3-',
    '1.2.3-01',
    '1.2.3+',
    '1.2.3-a..b',
    'V1.2.3',
    ' 1.2.3',
    '1.2.3_x',
    'vv1.2.3',
    `1.2.${'9'.repeat(300)}`,
  ])('rejects %j', (text) => {
    expect(parseSemverTag(text)).toBeUndefined();
  });

  const identifier = fc.oneof(fc.nat({ max: 30 }).map(String), fc.stringMatching(/^[0-9a-zA-Z-]{1,6}$/));
  const version = fc
    .tuple(
      fc.boolean(),
      fc.nat({ max: 12 }),
      fc.nat({ max: 12 }),
      fc.nat({ max: 12 }),
      fc.array(identifier, { maxLength: 3 }),
      fc.array(fc.stringMatching(/^[0-9a-zA-Z-]{1,4}$/), { maxLength: 2 }),
    )
    .map(([v, major, minor, patch, pre, build]) => {
      const main = `${v ? 'v' : ''}${major}.${minor}.${patch}`;
      return `${main}${pre.length ? `-${pre.join('.')}` : ''}${build.length ? `+${build.join('.')}` : ''}`;
    });

  it('accepts exactly what node-semver accepts strictly, and orders the same', () => {
    fc.assert(
      fc.property(version, version, (a, b) => {
        const valid = semver.valid(a) !== null && !/^\s|\s$/.test(a);
        expect(parseSemverTag(a) !== undefined).toBe(valid);
        const pa = parseSemverTag(a);
        const pb = parseSemverTag(b);
        if (!pa || !pb) return;
        expect(Math.sign(compareSemver(pa, pb))).toBe(semver.compare(a, b));
      }),
      { numRuns: 400 },
    );
  });
});

describe('compileRange', () => {
  it.each([
    ['>=6.0.0-0', true],
    ['^2.0.0-rc.1', true],
    ['v1.0.0-alpha - 2.0.0', true],
    ['^6.0.0', false],
    ['1.0.0 - 2.0.0', false],
    ['>=1.0.0+build-1', false],
    ['*', false],
  ])('%s names a prerelease: %s', (range, names) => {
    expect(rangeNamesPrerelease(range)).toBe(names);
  });

  it.each([
    ['^1.0.0', '1.5.0', 'in'],
    ['^1.0.0', '2.0.0', 'out-of-range'],
    ['^1.0.0', '1.5.0-rc.1', 'prerelease'],
    ['^1.0.0', '2.0.0-rc.1', 'out-of-range'],
    ['>=1.0.0-0', '1.5.0-rc.1', 'in'],
    ['^1.0.0 || >=3.0.0', '2.0.0', 'out-of-range'],
    ['<1.0.0', '0.9.9-beta', 'prerelease'],
  ] as const)('%s on %s: %s', (range, version, verdict) => {
    expect(compileRange(range).test(parseSemverTag(version)!)).toBe(verdict);
  });

  it('throws on an invalid range', () => {
    expect(() => compileRange('>>1')).toThrow();
  });
});

describe('semver selection agrees with semver.maxSatisfying', () => {
  const ranges = [
    '*',
    '^1.0.0',
    '~1.2.0',
    '>=1.0.0 <3.0.0',
    '^0.2.0',
    '1.x || 3.x',
    '>=1.0.0-0',
    '^2.0.0-rc.1',
    '<2.0.0',
    '1.2.3 - 2.3.4',
  ];
  const tag = fc
    .tuple(
      fc.boolean(),
      fc.nat({ max: 3 }),
      fc.nat({ max: 3 }),
      fc.nat({ max: 3 }),
      fc.option(fc.constantFrom('rc.1', 'rc.2', 'rc.10', 'alpha', 'beta.3', '0'), { nil: undefined }),
    )
    .map(([v, a, b, c, pre]) => `${v ? 'v' : ''}${a}.${b}.${c}${pre ? `-${pre}` : ''}`);

  it('on random tags and ranges', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(tag, { maxLength: 25 }),
        fc.constantFrom(...ranges),
        async (tags, range) => {
          const decision = await selectTag({
            imageKey: 'img',
            policy: policy({ semver: range }),
            candidates: tags.map(candidate),
            context: context(),
          });
          const expected = semver.maxSatisfying(tags, range, {
            includePrerelease: rangeNamesPrerelease(range),
          });
          if (expected === null) {
            expect(decision.chosen).toBeUndefined();
          } else {
            expect(decision.chosen).toBeDefined();
            expect(semver.eq(decision.chosen!.tag, expected)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
