import { describe, expect, it } from 'vitest';
import {
  canonicalPattern,
  ecrPushPattern,
  matchesPattern,
  validatePattern,
} from '../../src/events/pattern.js';

const push = {
  version: '0',
  id: 'e1',
  'detail-type': 'ECR Image Action',
  source: 'aws.ecr',
  account: '123456789012',
  time: '2026-01-01T00:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail: {
    result: 'SUCCESS',
    'repository-name': 'team/api',
    'image-digest': 'sha256:abc',
    'action-type': 'PUSH',
    'image-tag': '1.2.3',
    size: 42,
  },
};

describe('ecrPushPattern', () => {
  it('builds the ECR push pattern with sorted, unique names and accounts', () => {
    expect(
      ecrPushPattern({ repositoryNames: ['team/web', 'team/api', 'team/api'], accounts: ['123456789012'] }),
    ).toEqual({
      source: ['aws.ecr'],
      'detail-type': ['ECR Image Action'],
      account: ['123456789012'],
      detail: { 'action-type': ['PUSH'], result: ['SUCCESS'], 'repository-name': ['team/api', 'team/web'] },
    });
  });

  it('leaves the account out when none is given, and matches only the named repositories', () => {
    const pattern = ecrPushPattern({ repositoryNames: ['team/api'] });
    expect(pattern).not.toHaveProperty('account');
    expect(matchesPattern(pattern, push)).toBe(true);
    expect(
      matchesPattern(pattern, { ...push, detail: { ...push.detail, 'repository-name': 'team/web' } }),
    ).toBe(false);
    expect(matchesPattern(pattern, { ...push, detail: { ...push.detail, 'action-type': 'DELETE' } })).toBe(
      false,
    );
    expect(matchesPattern(pattern, { ...push, detail: { ...push.detail, result: 'FAILED' } })).toBe(false);
    expect(matchesPattern(pattern, { ...push, 'detail-type': 'ECR Image Scan' })).toBe(false);
  });
});

describe('matchesPattern', () => {
  const cases: [string, unknown, boolean][] = [
    ['exact string', { source: ['aws.ecr'] }, true],
    ['exact string, other value', { source: ['aws.s3'] }, false],
    ['one of several', { source: ['aws.s3', 'aws.ecr'] }, true],
    ['number', { detail: { size: [42] } }, true],
    ['prefix', { detail: { 'repository-name': [{ prefix: 'team/' }] } }, true],
    ['prefix, other', { detail: { 'repository-name': [{ prefix: 'ops/' }] } }, false],
    [
      'prefix ignoring case',
      { detail: { 'repository-name': [{ prefix: { 'equals-ignore-case': 'TEAM/' } }] } },
      true,
    ],
    ['suffix', { detail: { 'image-tag': [{ suffix: '.3' }] } }, true],
    ['equals-ignore-case', { detail: { result: [{ 'equals-ignore-case': 'success' }] } }, true],
    ['anything-but list', { detail: { 'action-type': [{ 'anything-but': ['DELETE'] }] } }, true],
    ['anything-but the value', { detail: { 'action-type': [{ 'anything-but': 'PUSH' }] } }, false],
    ['anything-but prefix', { detail: { 'image-tag': [{ 'anything-but': { prefix: 'sha256-' } }] } }, true],
    ['anything-but on a missing field', { detail: { absent: [{ 'anything-but': 'x' }] } }, false],
    ['exists', { detail: { 'image-tag': [{ exists: true }] } }, true],
    ['exists on a missing field', { detail: { absent: [{ exists: true }] } }, false],
    ['exists false on a missing field', { detail: { absent: [{ exists: false }] } }, true],
    ['exists false on a present field', { detail: { 'image-tag': [{ exists: false }] } }, false],
    ['numeric range', { detail: { size: [{ numeric: ['>', 10, '<=', 42] }] } }, true],
    ['numeric out of range', { detail: { size: [{ numeric: ['<', 10] }] } }, false],
    ['empty array in the event matches nothing', { resources: ['x'] }, false],
    ['nested key missing', { detail: { nested: { key: ['x'] } } }, false],
    ['an object where a value list is expected', { source: { nested: ['x'] } }, false],
  ];
  it.each(cases)('%s', (_name, pattern, expected) => {
    expect(matchesPattern(pattern, push)).toBe(expected);
  });

  it('matches when any element of an array field matches', () => {
    expect(matchesPattern({ resources: ['arn:b'] }, { ...push, resources: ['arn:a', 'arn:b'] })).toBe(true);
  });
});

describe('validatePattern and canonicalPattern', () => {
  it('rejects what EventBridge would reject', () => {
    expect(() => validatePattern({})).toThrow(/empty/);
    expect(() => validatePattern({ source: [] })).toThrow(/source/);
    expect(() => validatePattern({ detail: { a: [{ regex: 'x' }] } })).toThrow(/detail\.a/);
    expect(() => validatePattern([])).toThrow(/object/);
    expect(() => validatePattern(ecrPushPattern({ repositoryNames: ['a'] }))).not.toThrow();
  });

  it('ignores key order and value order', () => {
    expect(canonicalPattern({ b: ['y', 'x'], a: { c: [1] } })).toBe(
      canonicalPattern({ a: { c: [1] }, b: ['x', 'y'] }),
    );
    expect(canonicalPattern({ a: ['x'] })).not.toBe(canonicalPattern({ a: ['x', 'y'] }));
  });
});
