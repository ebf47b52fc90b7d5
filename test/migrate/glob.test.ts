/** Argo CD Image Updater's ignore-tags globs (Go's filepath.Match) as anchored regexes. */
import { describe, expect, it } from 'vitest';
import { globToRegex } from '../../src/migrate/glob.js';

describe('ignore-tags globs', () => {
  it.each([
    ['*-debug', ['1.0-debug', '-debug'], ['1.0-debug2', 'a/b-debug']],
    ['2.0.?', ['2.0.1', '2.0.x'], ['2.0.10', '2.0.']],
    ['v[0-9]*', ['v1', 'v9.0'], ['vx', 'V1']],
    ['[^a-f]*', ['g1', '9'], ['a1', 'f']],
    ['latest', ['latest'], ['latest2', 'xlatest']],
    ['a\\*b', ['a*b'], ['axb']],
    ['1.2.(3)+', ['1.2.(3)+'], ['1.2.33']],
  ])('%s matches %j and not %j', (glob, matching, other) => {
    const regex = new RegExp(globToRegex(glob)!);
    for (const tag of matching) expect(regex.test(tag), tag).toBe(true);
    for (const tag of other) expect(regex.test(tag), tag).toBe(false);
  });

  it('refuses malformed globs, as Go does', () => {
    expect(globToRegex('[abc')).toBeUndefined();
    expect(globToRegex('abc\\')).toBeUndefined();
    expect(globToRegex('[]')).toBeUndefined();
  });
});
