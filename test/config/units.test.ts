import { describe, expect, it } from 'vitest';
import { normalizeRepoPath, pathsOverlap, writtenBranch } from '../../src/config/environment-rules.js';
import { checkBranch, checkImageRepository, checkSemverRange } from '../../src/config/field-checks.js';
import { captureGroups } from '../../src/checks/regex.js';
import { closest, editDistance, suggestionHint } from '../../src/config/suggest.js';

describe('suggestions', () => {
  it.each([
    ['semver', 'semver', 0],
    ['semvr', 'semver', 1],
    ['semevr', 'semver', 1],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('editDistance(%s, %s) = %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });

  it.each([
    ['semvr', 'semver'],
    ['minage', 'minAge'],
    ['MaxSeverity', 'maxSeverity'],
    ['pattren', 'pattern'],
    ['x', undefined],
    ['colour', undefined],
  ])('closest(%s) is %s', (word, expected) => {
    const keys = ['semver', 'order', 'newest', 'promote', 'pattern', 'minAge', 'maxSeverity'];
    expect(closest(word, keys)).toBe(expected);
  });

  it('lists the known words when none is close', () => {
    expect(suggestionHint('zzz', ['dev', 'prod'], 'environments')).toBe('environments: dev, prod');
    expect(suggestionHint('prd', ['dev', 'prod'], 'environments')).toBe('did you mean `prod`?');
  });
});

describe('paths and branches', () => {
  it.each([
    ['', 'clusters', true],
    ['.', 'clusters/prod', true],
    ['clusters', 'clusters/prod', true],
    ['./clusters/', 'clusters', true],
    ['clusters/dev', 'clusters/development', false],
    ['apps', 'clusters', false],
  ])('pathsOverlap(%s, %s) = %s', (a, b, overlap) => {
    expect(pathsOverlap(a, b)).toBe(overlap);
    expect(pathsOverlap(b, a)).toBe(overlap);
  });

  it('normalises paths and picks the written branch', () => {
    expect(normalizeRepoPath('./a//b/')).toBe('a/b');
    expect(writtenBranch('prod', { branch: 'main' })).toBe('main');
    expect(writtenBranch('prod', { branch: 'main', push: { branch: 'drawbridge/prod' } })).toBe(
      'drawbridge/prod',
    );
    expect(writtenBranch('prod', { branch: 'main', push: { branch: 'drawbridge/{env}' } })).toBe(
      'drawbridge/prod',
    );
  });

  it.each(['main', 'drawbridge/prod', 'release-1.2', 'env/eu-west-1'])('accepts branch %s', (branch) => {
    expect(checkBranch(branch)).toBeUndefined();
  });

  it.each(['-x', 'a..b', 'a b', 'x.lock', 'a/', '/a', 'a//b', 'a:b', 'a~1', '.hidden', 'a/.b', '@'])(
    'rejects branch %s',
    (branch) => {
      expect(checkBranch(branch)?.message).toBe(`\`${branch}\` is not a valid branch name`);
    },
  );
});

describe('regex groups and ranges', () => {
  it.each([
    ['^v(\\d+)$', 1, []],
    ['^main-(?<ts>\\d+)-(?<sha>[0-9a-f]{7})$', 2, ['ts', 'sha']],
    ['^(?:a|b)(c)?$', 1, []],
    ['^plain$', 0, []],
  ])('captureGroups(%s)', (pattern, count, names) => {
    expect(captureGroups(pattern)).toEqual({ count, names });
  });

  it('a bad regex has no groups to count', () => {
    expect(captureGroups('(')).toBeUndefined();
  });

  it.each(['^6.0.0', '>=6.0.0-0', '~1.2', '1.x', '>=1 <2 || ^3', '*', 'v1.2.3'])(
    'accepts range %s',
    (range) => {
      expect(checkSemverRange(range)).toBeUndefined();
    },
  );

  it.each(['', 'banana', '1.2.3.4', '>>1'])('rejects range %j', (range) => {
    expect(checkSemverRange(range)).toBeDefined();
  });
});

describe('ECR repository URIs', () => {
  it.each([
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo',
    '123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn/team/app',
    '123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/app',
    '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/a/b/c',
  ])('accepts %s', (uri) => {
    expect(checkImageRepository(uri)).toBeUndefined();
  });

  it.each([
    ['https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/app', 'remove `https://`'],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'add the repository name'],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:abc', 'remove the tag or digest'],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/App', 'lowercase'],
    ['1234.dkr.ecr.eu-west-1.amazonaws.com/app', '12-digit account id'],
  ])('rejects %s, saying how to fix it', (uri, hint) => {
    expect(checkImageRepository(uri)).toEqual({
      message: `\`${uri}\` is not an ECR repository URI`,
      hint: expect.stringContaining(hint) as string,
    });
  });
});

describe('other image repositories (SPEC §12)', () => {
  it.each([
    'nginx',
    'ghcr.io/acme/app',
    'quay.io/jetstack/cert-manager-controller',
    '127.0.0.1:5000/team/api',
    'public.ecr.aws/eks/aws-load-balancer-controller',
  ])('accepts %s', (uri) => {
    expect(checkImageRepository(uri)).toBeUndefined();
  });

  it.each([
    ['https://ghcr.io/acme/app', 'remove `https://`'],
    ['nginx:1.25', 'names a tag'],
    ['ghcr.io/acme/App', 'upper-case'],
    ['ghcr.io/acme/app@sha256:' + 'a'.repeat(64), 'names a digest'],
  ])('rejects %s, saying why', (uri, why) => {
    const problem = checkImageRepository(uri);
    expect(`${problem?.message ?? ''} ${problem?.hint ?? ''}`).toContain(why);
    expect(problem?.hint).toContain('ghcr.io/acme/api');
  });
});
