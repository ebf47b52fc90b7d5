/** Ranges in Flux's and Argo CD Image Updater's dialect (Masterminds/semver), read as they read them. */
import { describe, expect, it } from 'vitest';
import { mastermindsSpelling, nodeRange } from '../../src/checks/semver-dialect.js';
import { checkSemverRange } from '../../src/config/field-checks.js';
import { compileRange } from '../../src/policy/semver-range.js';
import { parseSemverTag } from '../../src/policy/semver-tag.js';

describe('the Masterminds dialect', () => {
  it.each([
    ['>=1.0, <2.0', '>=1.0 <2.0'],
    ['>=1.0,<2.0', '>=1.0 <2.0'],
    ['>= 1.2, < 1.5', '>=1.2 <1.5'],
    ['>=1.0.0, !=1.2.3, <2', '>=1.0.0 <1.2.3 <2 || >=1.0.0 >1.2.3 <2'],
    ['~1.2, >=1.2.5 || 2.x', '~1.2 >=1.2.5 || 2.x'],
  ])('reads %s as %s', (text, range) => {
    expect(nodeRange(text)).toMatchObject({ range, translated: true });
  });

  it.each([
    ['2.x-0', '>=2.0.0-0 <3.0.0-0'],
    ['~1.2.x-0', '>=1.2.0-0 <1.3.0-0'],
    ['^0.3.x-rc', '>=0.3.0-rc <0.4.0-0'],
    ['^1.x-0', '>=1.0.0-0 <2.0.0-0'],
    ['>=2.x-0', '>=2.0.0-0'],
    ['>2.1.x-0', '>=2.2.0-0'],
    ['<=2.x-0', '<3.0.0-0'],
    ['1.2-beta', '>=1.2.0-beta <1.3.0-0'],
  ])('reads the partial prerelease %s as Masterminds does: %s', (text, range) => {
    expect(nodeRange(text)).toMatchObject({
      range,
      translated: true,
      groups: [{ range, prereleases: true }],
    });
  });

  it.each(['^1.2.3', '1.x', '~1.2 || >=3.0', 'v1.2.3', '1.2 - 1.4.5', '>=6.0.0-0', '*', '^0.x'])(
    'leaves %s, which both dialects spell alike, as written',
    (text) => {
      expect(nodeRange(text)).toEqual({ range: text, translated: false });
    },
  );

  it.each([
    ['>=1.0, <2.0', '1.9.9', 'in'],
    ['>=1.0, <2.0', '2.0.0', 'out-of-range'],
    ['>=1.0.0, !=1.2.3, <2', '1.2.3', 'out-of-range'],
    ['>=1.0.0, !=1.2.3, <2', '1.2.4', 'in'],
    // Masterminds: each comparator without a prerelease refuses one, so `<2.0.0` refuses 1.5.0-rc.1.
    ['>=1.0.0-0, <2.0.0', '1.5.0-rc.1', 'prerelease'],
    ['>=1.0.0-0, <2.0.0-0', '1.5.0-rc.1', 'in'],
    ['>=1.0.0-0, <2.0.0', '1.5.0', 'in'],
    ['1.x, >=1.2 || 2.x-0', '1.5.0-rc.1', 'prerelease'],
    ['1.x, >=1.2 || 2.x-0', '2.1.0-rc.1', 'in'],
    ['2.x-0', '2.0.0-alpha', 'in'],
    ['2.x-0', '3.0.0-alpha', 'out-of-range'],
    ['2.x-0', '2.9.1', 'in'],
    // node-semver's own words keep node-semver's rule (with drawbridge's range-wide prereleases).
    ['>=1.0.0-0 <2.0.0', '1.5.0-rc.1', 'in'],
    ['>= 1.2, < 1.5', '1.5.0', 'out-of-range'],
  ] as const)('%s on %s: %s', (range, version, verdict) => {
    expect(compileRange(range).test(parseSemverTag(version)!)).toBe(verdict);
  });

  it.each([
    ['>=1.0.0-0 <2.0.0', '>=1.0.0-0, <2.0.0'],
    ['1.x || >=2.0.0-0', '1.x, * || >=2.0.0-0'],
    ['^1.2.3', '^1.2.3'],
    ['^1.2.3-beta.1', '^1.2.3-beta.1'],
    ['>=1.0, <2.0', '>=1.0, <2.0'],
    ['2.x-0', '2.x-0'],
  ])('spells the imported range %s as %s, so it is read as Masterminds reads it', (text, spelt) => {
    expect(mastermindsSpelling(text)).toBe(spelt);
  });

  it('reads a spelt range as Masterminds picks', () => {
    const tag = parseSemverTag('1.5.0-rc.1')!;
    expect(compileRange('>=1.0.0-0 <2.0.0').test(tag)).toBe('in');
    expect(compileRange(mastermindsSpelling('>=1.0.0-0 <2.0.0')).test(tag)).toBe('prerelease');
    expect(compileRange(mastermindsSpelling('1.x || >=2.0.0-0')).test(tag)).toBe('prerelease');
    expect(compileRange(mastermindsSpelling('1.x || >=2.0.0-0')).test(parseSemverTag('2.0.0-rc.1')!)).toBe(
      'in',
    );
  });

  it('refuses what neither dialect reads, saying why', () => {
    expect(nodeRange('>=')).toEqual({ problem: '`>=` has an operator without a version' });
    expect(nodeRange('!=1.2')).toMatchObject({
      problem: expect.stringContaining('!= takes X.Y.Z') as string,
    });
    expect(nodeRange('x'.repeat(600))).toMatchObject({ problem: '600 characters, at most 512' });
    expect(checkSemverRange('>=1.0, <')?.hint).toContain('has an operator without a version');
    expect(checkSemverRange('six')).toMatchObject({ message: '`six` is not a semver range' });
    expect(checkSemverRange('>=1.0.0, <2.0.0')).toBeUndefined();
  });
});
