import { describe, expect, it } from 'vitest';
import type { Policy } from '../../src/config/schema.js';
import { policyProblems } from '../../src/policy/index.js';

// Built by hand: the config schema refuses some of these before the engine would see them.
function raw(fields: Partial<Policy>): Policy {
  return { unscanned: 'skip', digest: false, ...fields };
}

describe('policyProblems', () => {
  it.each([
    ['a valid semver policy', raw({ semver: '^1.0.0', pattern: '^v', exclude: ['-rc'] }), []],
    ['no ordering', raw({ minAge: 1 }), ['']],
    ['two orderings', raw({ semver: '*', newest: 'pushed' }), ['newest']],
    ['direction without order', raw({ semver: '*', direction: 'desc' }), ['direction']],
    ['an invalid range', raw({ semver: '>>1' }), ['semver']],
    ['an invalid pattern', raw({ order: 'numerical', pattern: '(' }), ['pattern']],
    ['an invalid exclude', raw({ newest: 'pushed', exclude: ['ok', '['] }), ['exclude[1]']],
    ['extract without pattern', raw({ order: 'numerical', extract: '$1' }), ['extract']],
    [
      'extract naming a missing group',
      raw({ order: 'numerical', pattern: '^(\\d+)$', extract: '$2' }),
      ['extract'],
    ],
    [
      'extract naming a missing name',
      raw({ order: 'numerical', pattern: '^(?<ts>\\d+)$', extract: '${build}' }),
      ['extract'],
    ],
    [
      'extract naming a present name',
      raw({ order: 'numerical', pattern: '^(?<ts>\\d+)$', extract: '${ts}' }),
      [],
    ],
  ])('%s', (_name, policy, fields) => {
    expect(policyProblems(policy).map((problem) => problem.field)).toEqual(fields);
  });

  it('checks the image-level exclude list too', () => {
    expect(policyProblems(raw({ semver: '*' }), ['^ok$', '(']).map((p) => p.field)).toEqual([
      'imageExclude[1]',
    ]);
  });

  it('says which groups the pattern has', () => {
    const [problem] = policyProblems(
      raw({ order: 'numerical', pattern: '^(?<ts>\\d+)-(\\w+)$', extract: '$3' }),
    );
    expect(problem?.message).toBe('extract names group $3, which pattern does not define');
    expect(problem?.hint).toBe('pattern defines $1, $2, $ts');
  });
});
