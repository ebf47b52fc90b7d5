import { describe, expect, it } from 'vitest';
import { pushFieldProblem } from '../../src/events/push-fields.js';
import { HOSTILE_TAGS } from '../registries/hostile-tags.js';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const push = {
  repositoryName: 'acme/api',
  tag: '1.0.1',
  digest: DIGEST,
  account: '123456789012',
  region: 'eu-west-1',
};

describe('push event fields', () => {
  it('accepts a well-formed push', () => {
    expect(pushFieldProblem(push)).toBeUndefined();
    expect(pushFieldProblem({ repositoryName: 'podinfo', tag: 'latest' })).toBeUndefined();
  });

  it.each(HOSTILE_TAGS)('refuses a tag with %s, escaped and capped', (_name, tag) => {
    const problem = pushFieldProblem({ ...push, tag });
    expect(problem).toMatchObject({ reason: 'invalid-tag', field: 'image-tag' });
    expect(problem?.shown).not.toMatch(/[\n\r\0]/);
    expect(problem?.shown.length).toBeLessThan(100);
  });

  it.each([
    [{ repositoryName: 'Acme/API' }, 'invalid-repository-name'],
    [{ repositoryName: 'api\nx' }, 'invalid-repository-name'],
    [{ repositoryName: 42 as unknown as string }, 'invalid-repository-name'],
    [{ digest: 'sha256:abc' }, 'invalid-digest'],
    [{ digest: `${DIGEST}\n` }, 'invalid-digest'],
    [{ account: '1234' }, 'invalid-account'],
    [{ region: 'eu-west-1\n' }, 'invalid-region'],
  ])('refuses %j: %s', (change, reason) => {
    expect(pushFieldProblem({ ...push, ...change })?.reason).toBe(reason);
  });
});
