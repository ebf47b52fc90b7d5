/** Rules for images outside ECR and `registries:` entries (SPEC §12), at their lines. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { issuesOf } from './helpers.js';

const config = (...lines: string[]): string =>
  [
    'version: 1',
    'git: { url: file:///srv/fleet.git }',
    'images:',
    '  nginx: { repository: nginx }',
    '  api:',
    '    repository: ghcr.io/acme/api',
    ...lines,
  ].join('\n') + '\n';

describe('rules for other registries', () => {
  it('accepts images from any registry, with and without registries entries', () => {
    const { config: loaded } = parseConfig(
      config(
        'registries:',
        '  ghcr.io: { usernameEnv: GHCR_USER, passwordEnv: GHCR_TOKEN }',
        '  127.0.0.1:5000: { insecure: true }',
        'environments:',
        '  dev:',
        '    branch: dev',
        '    policies:',
        "      nginx: { semver: '~1.27.0', minAge: 1d }",
        '      api: { newest: pushed }',
      ),
      '/conf/drawbridge.yaml',
    );
    expect(loaded.registries?.['ghcr.io']).toEqual({
      usernameEnv: 'GHCR_USER',
      passwordEnv: 'GHCR_TOKEN',
      insecure: false,
      maxConcurrency: 4,
    });
    expect(loaded.registries?.['127.0.0.1:5000']?.insecure).toBe(true);
  });

  it('refuses what only ECR serves, and half or doubled credentials, where they are written', () => {
    const issues = issuesOf(
      config(
        '    roleArn: arn:aws:iam::123456789012:role/read',
        'registries:',
        '  ghcr.io: { usernameEnv: GHCR_USER }',
        '  quay.io: { tokenEnv: QUAY_TOKEN, usernameEnv: U, passwordEnv: P }',
        '  123456789012.dkr.ecr.eu-west-1.amazonaws.com: { insecure: true }',
        '  https://bad.example: {}',
        'environments:',
        '  dev:',
        '    branch: dev',
        '    policies:',
        "      nginx: { semver: '^1.0.0', maxSeverity: HIGH }",
        "      api: { semver: '^1.0.0' }",
      ),
    );
    const byPath = new Map(issues.map((issue) => [issue.path, issue]));
    expect(byPath.get('images.api.roleArn')).toMatchObject({
      line: 7,
      message: 'images.api.roleArn applies to ECR repositories only, and ghcr.io/acme/api is on ghcr.io',
    });
    expect(byPath.get('environments.dev.policies.nginx.maxSeverity')).toMatchObject({
      line: 17,
      message: expect.stringContaining("maxSeverity gates on ECR's scan findings") as string,
    });
    expect(byPath.get('registries.ghcr.io.usernameEnv')?.message).toBe(
      'registries.ghcr.io has usernameEnv without passwordEnv',
    );
    expect(byPath.get('registries.quay.io.tokenEnv')?.hint).toContain('keep one');
    expect(byPath.get('registries.123456789012.dkr.ecr.eu-west-1.amazonaws.com')?.message).toContain(
      'drawbridge reads through the ECR API',
    );
    expect(
      issues.some((issue) => issue.message.includes('`https://bad.example` is not a registry host')),
    ).toBe(true);
  });
});
