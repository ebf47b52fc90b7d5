import { describe, expect, it } from 'vitest';
import { captureGroups, compileRegex, regexProblem, REGEX_MAX_LENGTH } from '../../src/checks/regex.js';

describe('regexes from the config, on RE2', () => {
  it('searches anywhere in the tag, as RegExp.test does', () => {
    expect(compileRegex('-rc[0-9]+$').test('1.2.0-rc3')).toBe(true);
    expect(compileRegex('^1\\.').test('21.0')).toBe(false);
  });

  it('runs nested quantifiers in linear time: (a+)+$ against 127 a and a dash answers at once', () => {
    // A backtracking engine tries 2^127 ways here; the test would never end.
    const regex = compileRegex('(a+)+$');
    expect(regex.test(`${'a'.repeat(127)}-`)).toBe(false);
    expect(compileRegex('^(a|a)*b$').test('a'.repeat(127))).toBe(false);
    expect(compileRegex('^(\\w+\\s?)*$').test(`${'word '.repeat(25)}!`)).toBe(false);
  });

  it('names groups both ways, (?<name>…) and Go’s (?P<name>…)', () => {
    const match = compileRegex('^main-(?<ts>\\d+)-(?P<sha>[0-9a-f]{7})$').exec('main-1700000000-abc1234');
    expect(match?.groups).toEqual({ ts: '1700000000', sha: 'abc1234' });
    expect(match?.[1]).toBe('1700000000');
    expect(captureGroups('^(x)(?P<y>y)(?:z)$')).toEqual({ count: 2, names: ['y'] });
  });

  it('a group that took no part in the match is undefined, as in RegExp', () => {
    expect(compileRegex('(x)?y').exec('y')?.[1]).toBeUndefined();
  });

  it.each([
    ['^(?!rc)', 'invalid or unsupported Perl syntax: `(?!`'],
    ['(?<=v)1', 'invalid named capture'],
    ['(a)\\1', 'invalid escape sequence: `\\1`'],
    ['[a-', 'missing closing ]'],
    ['x{1001}', 'invalid repeat count: `{1001}`'],
  ])('refuses %s: %s', (source, problem) => {
    expect(regexProblem(source)).toBe(problem);
    expect(() => compileRegex(source)).toThrow(SyntaxError);
    expect(captureGroups(source)).toBeUndefined();
  });

  it('refuses a source longer than the cap', () => {
    expect(regexProblem('a'.repeat(REGEX_MAX_LENGTH + 1))).toMatch(/at most 1000/);
    expect(regexProblem('a'.repeat(REGEX_MAX_LENGTH))).toBeUndefined();
  });
});
