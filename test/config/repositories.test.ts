import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { repositoriesOf, remoteHost } from '../../src/config/repositories.js';
import { expectIssues, withHead, type ErrorCase } from './helpers.js';

/** HEAD (lines 1–8), then environments from line 9, then `repositories:` after them. */
const fleet = (environments: string[], repositories: string[]): string =>
  withHead(...environments, 'repositories:', ...repositories);

const cases: readonly ErrorCase[] = [
  {
    name: 'an environment naming an unknown repository',
    text: fleet(
      ['  prod: { repository: paymnets, branch: main, policies: { api: { newest: pushed } } }'],
      ['  payments: { url: file:///srv/payments.git }'],
    ),
    issues: [
      [
        9,
        23,
        'environments.prod.repository',
        'repository `paymnets` is not under `repositories:`',
        'did you mean `payments`?',
      ],
    ],
  },
  {
    name: 'an unknown repository when there is no repositories section',
    text: withHead('  prod: { repository: payments, branch: main, policies: { api: { newest: pushed } } }'),
    issues: [
      [
        9,
        23,
        'environments.prod.repository',
        'repository `payments` is not under `repositories:`',
        'declare it under',
      ],
    ],
  },
  {
    name: '`default` is the name of git:',
    text: fleet(
      ['  prod: { repository: default, branch: main, policies: { api: { newest: pushed } } }'],
      ['  default: { url: file:///srv/other.git }'],
    ),
    issues: [[11, 3, 'repositories.default', '`default` is the name of the `git:` repository']],
  },
  {
    name: 'two repositories pointing at one remote',
    text: fleet(
      [
        '  a: { branch: main, policies: { api: { newest: pushed } } }',
        '  b: { repository: again, branch: other, policies: { api: { newest: pushed } } }',
      ],
      ['  again: { url: file:///srv/fleet.git/ }'],
    ),
    issues: [[12, 17, 'repositories.again.url', '`repositories.again` and `git` point at the same remote']],
  },
  {
    name: 'two environments editing one branch of one repository',
    text: fleet(
      [
        '  one: { repository: payments, branch: main, policies: { api: { newest: pushed } } }',
        '  two: { repository: payments, branch: main, policies: { podinfo: { newest: pushed } } }',
      ],
      ['  payments: { url: file:///srv/payments.git }'],
    ),
    issues: [
      [10, 40, 'environments.two.branch', '`two` and `one` both edit the whole branch `payments:main`'],
    ],
  },
  {
    name: 'a template naming an unknown placeholder',
    text: fleet(
      ['  prod: { repository: payments, branch: main, policies: { api: { newest: pushed } } }'],
      ["  payments: { url: file:///srv/payments.git, messageTemplate: 'chore: {{sumary}}' }"],
    ),
    issues: [
      [
        11,
        63,
        'repositories.payments.messageTemplate',
        'unknown placeholder {{sumary}}',
        'did you mean `summary`?',
      ],
    ],
  },
  {
    name: 'maxConcurrency belongs to git: only',
    text: fleet(
      ['  prod: { repository: payments, branch: main, policies: { api: { newest: pushed } } }'],
      ['  payments: { url: file:///srv/payments.git, maxConcurrency: 2 }'],
    ),
    issues: [
      [11, 46, 'repositories.payments.maxConcurrency', 'unknown key `maxConcurrency`', 'belongs under `git`'],
    ],
  },
];

describe('repositories in drawbridge.yaml', () => {
  it.each(cases)('$name', ({ text, issues }) => expectIssues(text, issues));

  it('lets environments of different repositories share a branch and fills keys from git:', () => {
    const text = [
      'version: 1',
      'git:',
      '  url: git@github.com:acme/fleet.git',
      '  author: { name: bot, email: bot@acme.dev }',
      '  auth: { sshKeyFile: /keys/github }',
      '  historyDepth: 50',
      '  maxConcurrency: 2',
      'repositories:',
      '  payments: { url: ssh://git@github.com/acme/payments.git, pushAttempts: 2 }',
      '  internal: { url: https://git.acme.internal/ops/deploy.git }',
      'images:',
      '  api: { repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/api }',
      'environments:',
      '  dev: { branch: main, policies: { api: { newest: pushed } } }',
      '  payments-prod: { repository: payments, branch: main, policies: { api: { promote: { from: dev, after: 1h } } } }',
      '  ops: { repository: internal, branch: main, policies: { api: { newest: pushed } } }',
      '',
    ].join('\n');
    const { config, warnings } = parseConfig(text, '/conf/drawbridge.yaml');
    expect(warnings).toEqual([]);
    expect(config.git.maxConcurrency).toBe(2);
    const [main, payments, internal] = repositoriesOf(config);
    expect(main).toMatchObject({ name: 'default', historyDepth: 50, pushAttempts: 5 });
    expect(payments).toMatchObject({
      name: 'payments',
      author: { name: 'bot', email: 'bot@acme.dev' },
      historyDepth: 50,
      pushAttempts: 2,
      // Same host (github.com): the key comes along.
      auth: { sshKeyFile: '/keys/github' },
    });
    // Another host: git:'s credentials stay with their own host.
    expect(internal?.auth).toBeUndefined();
    expect(internal?.author).toEqual({ name: 'bot', email: 'bot@acme.dev' });
  });

  it('warns about a repository no environment uses', () => {
    const text = fleet(
      ["  dev: { branch: dev, policies: { podinfo: { semver: '^6' }, api: { newest: pushed } } }"],
      ['  spare: { url: file:///srv/spare.git }'],
    );
    const { warnings } = parseConfig(text, '/conf/drawbridge.yaml');
    expect(warnings?.map((w) => [w.line, w.path, w.message])).toEqual([
      [11, 'repositories.spare', 'repository `spare` has no environment, so drawbridge never touches it'],
    ]);
  });

  it.each([
    ['git@github.com:acme/fleet.git', 'github.com'],
    ['ssh://git@GitHub.com:22/acme/fleet.git', 'github.com:22'],
    ['https://x-access-token:t@gitlab.example.com/acme/fleet.git', 'gitlab.example.com'],
    ['file:///srv/fleet.git', undefined],
    ['/srv/fleet.git', undefined],
    ['./fleet:odd.git', undefined],
    ['../fleet.git', undefined],
  ])('remoteHost(%s) is %s', (url, host) => {
    expect(remoteHost(url)).toBe(host);
  });
});
