/**
 * Image references as Docker normalises them, and what is refused with a reason that never
 * echoes anything unprintable.
 */
import { describe, expect, it } from 'vitest';
import { parseImageReference, type ImageReference } from '../../src/checks/image-ref.js';

const ok = (text: string): ImageReference => {
  const parsed = parseImageReference(text);
  if ('problem' in parsed) throw new Error(`${text}: ${parsed.problem}`);
  return parsed.reference;
};
const problem = (text: string): string => {
  const parsed = parseImageReference(text);
  if ('reference' in parsed) throw new Error(`${text} was accepted as ${parsed.reference.name}`);
  return parsed.problem;
};

describe('image references', () => {
  it('normalises as Docker does', () => {
    expect(ok('nginx')).toEqual({
      host: 'docker.io',
      path: 'library/nginx',
      name: 'docker.io/library/nginx',
      apiHost: 'registry-1.docker.io',
    });
    expect(ok('acme/api').name).toBe('docker.io/acme/api');
    expect(ok('docker.io/nginx').name).toBe('docker.io/library/nginx');
    expect(ok('index.docker.io/acme/api').name).toBe('docker.io/acme/api');
    expect(ok('ghcr.io/fluxcd/source-controller')).toMatchObject({ host: 'ghcr.io', apiHost: 'ghcr.io' });
    expect(ok('public.ecr.aws/karpenter/controller').path).toBe('karpenter/controller');
    expect(ok('quay.io/jetstack/cert-manager-controller').host).toBe('quay.io');
    expect(ok('localhost/api').host).toBe('localhost');
    expect(ok('127.0.0.1:5000/team/api')).toMatchObject({ host: '127.0.0.1:5000', path: 'team/api' });
    expect(ok('[::1]:5000/api').host).toBe('[::1]:5000');
    expect(ok('harbor.acme.dev/proj/a.b_c__d---e').path).toBe('proj/a.b_c__d---e');
    expect(ok('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api').host).toBe(
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    );
  });

  it('refuses tags, digests and names outside the grammar, saying why', () => {
    expect(problem('nginx:1.25')).toMatch(/names a tag/);
    expect(problem('ghcr.io/acme/api:v1')).toMatch(/names a tag/);
    expect(problem(`nginx@sha256:${'a'.repeat(64)}`)).toMatch(/names a digest/);
    expect(problem('docker.io/Acme/api')).toMatch(/upper-case/);
    expect(problem('ghcr.io/acme//api')).toMatch(/empty path component/);
    expect(problem('ghcr.io/')).toMatch(/no repository path/);
    expect(problem('ghcr.io/acme/-api')).toMatch(/start and end/);
    expect(problem('ghcr.io/acme/a..b')).toMatch(/`\.` must be followed/);
    expect(problem('ghcr.io/acme/a___b')).toMatch(/`_` or `__`/);
    expect(problem('bad_host.io/api')).toMatch(/host `bad_host.io`/);
    expect(problem('host.io:99999/api')).toMatch(/port above 65535/);
    expect(problem('host.io:http/api')).toMatch(/port is not a number/);
    expect(problem('ghcr.io/acme/a\nDrawbridge-Update: x')).not.toContain('\n');
    expect(problem(`ghcr.io/${'a'.repeat(260)}`)).toMatch(/at most 255/);
    expect(problem('')).toBe('empty');
  });
});
