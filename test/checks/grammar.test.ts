import { describe, expect, it } from 'vitest';
import { isPrintable, printable } from '../../src/log/printable.js';
import {
  digestProblem,
  isValidDigest,
  isValidRepositoryName,
  isValidTag,
  tagProblem,
} from '../../src/checks/grammar.js';
import { HOSTILE_TAGS } from '../registries/hostile-tags.js';

describe('tag grammar', () => {
  it.each(HOSTILE_TAGS)('refuses a tag with %s', (_name, tag) => {
    expect(isValidTag(tag)).toBe(false);
    const problem = tagProblem(tag) ?? '';
    expect(problem).not.toBe('');
    // The reason names the character; it never echoes the tag.
    expect(isPrintable(problem)).toBe(true);
    expect(problem.length).toBeLessThan(80);
  });

  it.each([
    ['1.0.1', true],
    ['v6.0.2-rc.1', true],
    ['_internal', true],
    ['main-1700000000-abcdef0', true],
    ['a'.repeat(128), true],
    ['a'.repeat(129), false],
    ['', false],
    ['.hidden', false],
    ['-rc', false],
    ['1.0.0+build', false],
    ['ünïcode', false],
    ['1.0\u202e1', false],
  ])('%j valid: %s', (tag, valid) => {
    expect(isValidTag(tag)).toBe(valid);
  });

  it('explains what is wrong', () => {
    expect(tagProblem('1.0.1')).toBeUndefined();
    expect(tagProblem('9.0.0\nDrawbridge-Environment: prod')).toBe(
      'holds a newline, only letters, digits and ._- allowed',
    );
    expect(tagProblem('9.0.5\0')).toBe('holds a NUL byte, only letters, digits and ._- allowed');
    expect(tagProblem('x'.repeat(5000))).toBe('5000 characters, at most 128 allowed');
    expect(tagProblem('--upload-pack=x')).toBe('starts with "-", not a letter, digit or _');
    expect(tagProblem('9.0.1"')).toBe('holds """, only letters, digits and ._- allowed');
    expect(tagProblem('')).toBe('empty tag');
  });
});

describe('digest and repository name grammars', () => {
  it.each([
    [`sha256:${'a'.repeat(64)}`, true],
    [`sha256:${'A'.repeat(64)}`, false],
    [`sha256:${'a'.repeat(63)}`, false],
    [`sha256:${'a'.repeat(64)}\n`, false],
    [`sha512:${'a'.repeat(128)}`, false],
    ['sha256:abc', false],
    ['', false],
  ])('digest %j valid: %s', (digest, valid) => {
    expect(isValidDigest(digest)).toBe(valid);
    expect(digestProblem(digest) === undefined).toBe(valid);
  });

  it.each([
    ['podinfo', true],
    ['acme/api', true],
    ['a/b-c/d_e.f', true],
    ['Podinfo', false],
    ['podinfo\n', false],
    ['../etc', false],
    ['a//b', false],
    ['podinfo:latest', false],
    ['a'.repeat(257), false],
  ])('repository name %j valid: %s', (name, valid) => {
    expect(isValidRepositoryName(name)).toBe(valid);
  });
});

describe('printable', () => {
  it('escapes what could start a line or mislead a reader, and doubles backslashes', () => {
    expect(printable('a\nb\rc\td\0e\\f')).toBe('a\\nb\\rc\\td\\0e\\\\f');
    expect(printable('x\u2028y\u202ez\u0085')).toBe('x\\u2028y\\u202ez\\x85');
    expect(printable('plain 1.0.1 → 2')).toBe('plain 1.0.1 → 2');
  });

  it('caps the length and counts what it left out', () => {
    expect(printable('x'.repeat(5000), 10)).toBe('xxxxxxxxxx…(+4990 chars)');
    expect(printable('ab\ncd', 3)).toBe('ab…(+3 chars)');
  });

  it.each(HOSTILE_TAGS)('makes a tag with %s one short line', (_name, tag) => {
    const shown = printable(tag, 80);
    expect(shown).not.toMatch(/[\n\r\0]/);
    expect(shown.length).toBeLessThan(110);
  });
});
