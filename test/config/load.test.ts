import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configPath, loadConfig, parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { HEAD, issuesOf, URI, withHead } from './helpers.js';

const SPEC_EXAMPLE = new URL('./fixtures/spec-example.yaml', import.meta.url);

describe('the SPEC §2 example', () => {
  it('is a valid config, with durations in milliseconds and defaults filled in', async () => {
    const text = await readFile(SPEC_EXAMPLE, 'utf8');
    const { config, warnings } = parseConfig(text, 'drawbridge.yaml');
    expect(warnings).toEqual([]);
    expect(Object.keys(config.environments)).toEqual(['dev', 'prod']);
    expect(config.environments['dev']?.policies['api']).toMatchObject({
      pattern: '^main-(?<ts>\\d+)-[0-9a-f]{7}$',
      extract: '$ts',
      order: 'numerical',
    });
    expect(config.environments['prod']?.policies['podinfo']?.minAge).toBe(24 * 3_600_000);
    expect(config.environments['prod']?.policies['api']).toMatchObject({
      newest: 'pushed',
      minAge: 2 * 3_600_000,
      maxSeverity: 'HIGH',
      unscanned: 'skip',
    });
    expect(config.environments['prod']?.push?.branch).toBe('drawbridge/prod');
    expect(config.events?.http).toEqual({
      path: '/events/ecr',
      tokenEnv: 'DRAWBRIDGE_EVENTS_TOKEN',
      header: 'x-drawbridge-token',
    });
    expect(config.images['api']?.exclude).toEqual(['^cache-']);
  });
});

describe('defaults', () => {
  it('fills every default of a minimal config', () => {
    const text = withHead('  dev:', '    branch: dev', '    policies:', "      podinfo: { semver: '^6' }");
    const { config } = parseConfig(text, 'drawbridge.yaml');
    expect(config.schedule).toBe('*/5 * * * *');
    expect(config.server).toEqual({ port: 8080, host: '0.0.0.0' });
    expect(config.aws).toEqual({ maxConcurrency: 8 });
    expect(config.git).toEqual({
      url: 'file:///srv/fleet.git',
      author: { name: 'drawbridge', email: 'drawbridge@localhost' },
      historyDepth: 500,
      pushAttempts: 5,
      maxConcurrency: 4,
    });
    expect(config.environments['dev']?.policies['podinfo']).toEqual({
      semver: '^6',
      unscanned: 'skip',
      digest: false,
    });
    expect(config.events).toBeUndefined();
    expect(config.notify).toBeUndefined();
  });

  it('fills nested defaults of optional sections that are present', () => {
    const text = withHead(
      '  dev: { branch: dev, policies: { podinfo: { newest: pushed }, api: { newest: pushed } } }',
      'events: { sqs: { queueUrl: https://sqs.eu-west-1.amazonaws.com/123456789012/q }, http: { tokenEnv: T } }',
      'notify: { eventBridge: {} }',
    );
    const { config } = parseConfig(text, 'drawbridge.yaml');
    expect(config.events?.sqs).toMatchObject({ waitTimeSeconds: 20, maxMessages: 10 });
    expect(config.events?.http).toMatchObject({ path: '/events/ecr', header: 'x-drawbridge-token' });
    expect(config.notify?.eventBridge).toEqual({ eventBusName: 'default', source: 'drawbridge' });
  });
});

const valid: readonly { name: string; text: string }[] = [
  {
    name: 'ECR URIs in every partition: China, FIPS, GovCloud',
    text: [
      'version: 1',
      'git: { url: git@github.com:acme/fleet.git }',
      'images:',
      '  cn: { repository: 123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/team/app }',
      '  fips: { repository: 123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app }',
      '  gov: { repository: 123456789012.dkr.ecr.us-gov-east-1.amazonaws.com/a.b_c-d }',
      'environments:',
      '  dev:',
      '    branch: dev',
      "    policies: { cn: { semver: '*' }, fips: { newest: pushed }, gov: { order: alphabetical } }",
    ].join('\n'),
  },
  {
    name: 'extract as $1, $name and ${name}',
    text: withHead(
      '  dev:',
      '    branch: dev',
      '    policies:',
      "      podinfo: { pattern: '^(\\d+)$', extract: '$1', order: numerical, direction: desc }",
      "      api: { pattern: '^main-(?<ts>\\d+)-(?<sha>[0-9a-f]+)$', extract: '${ts}', order: numerical }",
      '  prod:',
      '    branch: prod',
      '    policies:',
      "      api: { pattern: '^main-(?<ts>\\d+)$', extract: '$ts', order: alphabetical }",
    ),
  },
  {
    name: 'one branch, disjoint paths',
    text: withHead(
      '  dev: { branch: main, paths: [clusters/dev], policies: { podinfo: { newest: pushed } } }',
      '  prod: { branch: main, paths: [clusters/prod, apps/prod], policies: { api: { newest: pushed } } }',
      '  other: { branch: main, paths: [clusters/development], policies: { api: { newest: pushed } } }',
    ),
  },
  {
    name: 'a promotion chain dev → staging → prod, and prod pushing to its own branch',
    text: withHead(
      '  dev: { branch: main, paths: [dev], policies: { api: { newest: pushed } } }',
      '  staging: { branch: main, paths: [staging], policies: { api: { promote: { from: dev, after: 1h } } } }',
      '  prod:',
      '    branch: main',
      '    push: { branch: drawbridge/prod }',
      '    policies: { api: { promote: { from: staging, after: 1d12h } }, podinfo: { semver: ^6.0.0 } }',
    ),
  },
  {
    name: 'tokenEnv naming a variable that is not set now',
    text: withHead(
      "  dev: { branch: dev, policies: { podinfo: { semver: '^6' }, api: { newest: pushed } } }",
      'events: { http: { tokenEnv: SURELY_NOT_SET_DRAWBRIDGE_TOKEN } }',
    ),
  },
  {
    name: 'six-field cron with seconds, and a cron macro',
    text: withHead(
      "  dev: { branch: dev, policies: { podinfo: { semver: '^6' }, api: { newest: pushed } } }",
      "schedule: '30 */10 * * * *'",
    ),
  },
];

describe('valid configs', () => {
  it.each(valid)('$name', ({ text }) => {
    const { config, warnings } = parseConfig(text, 'drawbridge.yaml');
    expect(Object.keys(config.environments).length).toBeGreaterThan(0);
    expect(warnings).toEqual([]);
  });
});

describe('all problems at once', () => {
  it('reports schema, rule and cross-environment errors together, in file order', () => {
    const text = [
      'version: 1',
      'git: { url: file:///srv/fleet.git, pushAttempts: 0 }',
      'images:',
      `  podinfo: { repository: ${URI}/podinfo, exclude: ['('] }`,
      'environments:',
      '  dev:',
      '    branch: main',
      "    policies: { podinfo: { semver: 'six' }, ghost: { newest: pushed } }",
      '  prod:',
      '    branch: main',
      '    policies: { podinfo: { promote: { from: dev, after: soon } } }',
      "schedule: 'every minute'",
    ].join('\n');
    const issues = issuesOf(text);
    expect(issues.map((issue) => `${issue.line}:${issue.column} ${issue.path}`)).toEqual([
      '2:50 git.pushAttempts',
      '4:90 images.podinfo.exclude.0',
      '8:36 environments.dev.policies.podinfo.semver',
      '8:45 environments.dev.policies.ghost',
      '10:13 environments.prod.branch',
      '11:57 environments.prod.policies.podinfo.promote.after',
      '12:11 schedule',
    ]);
  });

  it('carries the problems in one ConfigError whose message counts them', () => {
    const text = `${HEAD}\n  dev: { branch: dev, policies: { podinfo: { semver: six, order: y } } }\n`;
    const error = (() => {
      try {
        parseConfig(text, '/x/drawbridge.yaml');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      '/x/drawbridge.yaml is not a valid drawbridge config (3 problems)',
    );
    expect((error as ConfigError).issues.map((issue) => issue.message)).toEqual([
      '`six` is not a semver range',
      '`semver` and `order` are both orderings; a policy has exactly one',
      'expected one of numerical, alphabetical, got the string `y`',
    ]);
  });
});

describe('warnings', () => {
  it('flags an image no environment uses, an environment without policies, an open events endpoint', () => {
    const text = withHead(
      "  dev: { branch: dev, policies: { podinfo: { semver: '^6' } } }",
      '  idle:',
      '    branch: idle',
      '    policies: {}',
      'events: { http: {} }',
    );
    const { warnings } = parseConfig(text, '/x/drawbridge.yaml');
    expect(warnings?.map((warning) => [warning.line, warning.column, warning.path, warning.message])).toEqual(
      [
        [6, 3, 'images.api', 'image `api` has no policy in any environment, so it is never updated'],
        [
          12,
          15,
          'environments.idle.policies',
          'environment `idle` has no policies, so drawbridge never changes it',
        ],
        [13, 11, 'events.http', 'the events endpoint accepts requests without authentication'],
      ],
    );
  });
});

describe('finding and reading the file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'drawbridge-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes --config, else $DRAWBRIDGE_CONFIG, else ./drawbridge.yaml', () => {
    expect(configPath({ path: 'a.yaml', env: { DRAWBRIDGE_CONFIG: 'b.yaml' }, cwd: '/w' })).toBe('/w/a.yaml');
    expect(configPath({ env: { DRAWBRIDGE_CONFIG: '/etc/b.yaml' }, cwd: '/w' })).toBe('/etc/b.yaml');
    expect(configPath({ env: {}, cwd: '/w' })).toBe('/w/drawbridge.yaml');
  });

  it('loads the file and reports its absolute path', async () => {
    await writeFile(join(dir, 'drawbridge.yaml'), await readFile(SPEC_EXAMPLE, 'utf8'));
    const loaded = await loadConfig({ env: {}, cwd: dir });
    expect(loaded.file).toBe(join(dir, 'drawbridge.yaml'));
    expect(loaded.config.version).toBe(1);
  });

  it('a missing file is a ConfigError that says how to point at the right one', async () => {
    const error = await loadConfig({ path: 'nope.yaml', env: {}, cwd: dir }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      expect.objectContaining({ file: join(dir, 'nope.yaml'), line: 1, column: 1, message: 'no such file' }),
    ]);
    expect((error as ConfigError).issues[0]?.hint).toContain('--config');
  });
});
