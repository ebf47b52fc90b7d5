import { describe, it } from 'vitest';
import { dev, expectIssues, URI, withHead, type ErrorCase } from './helpers.js';

const cases: readonly ErrorCase[] = [
  {
    name: 'unknown key: the closest known one is suggested',
    text: withHead(...dev("      podinfo: { semvr: '^6.0.0' }")),
    issues: [
      [12, 18, 'environments.dev.policies.podinfo.semvr', 'unknown key `semvr`', 'did you mean `semver`?'],
    ],
  },
  {
    name: 'unknown key far from any: the known keys are listed',
    text: withHead(
      '  dev:',
      '    branch: dev',
      '    colour: blue',
      '    policies:',
      "      podinfo: { semver: '^6' }",
    ),
    issues: [
      [
        11,
        5,
        'environments.dev.colour',
        'unknown key `colour`',
        'known keys: repository, branch, paths, push, onFailure, policies',
      ],
    ],
  },
  {
    name: 'unknown key that belongs elsewhere says where',
    text: [
      'version: 1',
      'git: { url: file:///srv/fleet.git }',
      'images:',
      '  podinfo:',
      `    repository: ${URI}/podinfo`,
      '    minAge: 24h',
      'environments:',
      ...dev("      podinfo: { semver: '^6.0.0' }"),
    ].join('\n'),
    issues: [
      [
        6,
        5,
        'images.podinfo.minAge',
        'unknown key `minAge`',
        'belongs under `environments.<name>.policies.<name>`',
      ],
    ],
  },
  {
    name: 'missing required key points at the parent mapping',
    text: withHead('  dev:', '    policies:', "      podinfo: { semver: '^6.0.0' }"),
    issues: [
      [
        10,
        5,
        'environments.dev.branch',
        'missing required key `branch`',
        'add `branch:` under `environments.dev`',
      ],
    ],
  },
  {
    name: 'missing top-level key',
    text: 'version: 1\nimages: {}\nenvironments: {}\n',
    issues: [[1, 1, 'git', 'missing required key `git`', 'add `git:` at the top level']],
  },
  {
    name: 'wrong type: a string where a list belongs',
    text: withHead(
      '  dev:',
      '    branch: dev',
      '    paths: clusters/dev',
      '    policies:',
      "      podinfo: { semver: '^6' }",
    ),
    issues: [
      [
        11,
        12,
        'environments.dev.paths',
        'expected a list, got the string `clusters/dev`',
        'write a list: [clusters/dev]',
      ],
    ],
  },
  {
    name: 'wrong type: a number where a string belongs',
    text: withHead('  dev:', '    branch: 2024', '    policies:', "      podinfo: { semver: '^6' }"),
    issues: [
      [10, 13, 'environments.dev.branch', 'expected a string, got the number 2024', "quote it: '2024'"],
    ],
  },
  {
    name: 'wrong type: a word where a number belongs',
    text: withHead(...dev("      podinfo: { semver: '^6' }"), 'server: { port: eighty }'),
    issues: [[13, 17, 'server.port', 'expected a number, got the string `eighty`', '8080']],
  },
  {
    name: 'invalid regex in pattern',
    text: withHead(...dev("      api: { pattern: '^(main-\\d+$', order: alphabetical }")),
    issues: [
      [
        12,
        23,
        'environments.dev.policies.api.pattern',
        'invalid regular expression `^(main-\\d+$`: missing closing )',
        'RE2',
      ],
    ],
  },
  {
    name: 'invalid regex in a policy exclude',
    text: withHead(...dev("      podinfo: { semver: '^6.0.0', exclude: ['[a-'] }")),
    issues: [
      [
        12,
        46,
        'environments.dev.policies.podinfo.exclude.0',
        'invalid regular expression `[a-`: missing closing ]',
      ],
    ],
  },
  {
    name: 'a lookahead, which RE2 does not run, is refused with the part it refused',
    text: withHead(...dev("      podinfo: { semver: '^6.0.0', exclude: ['^(?!rc)'] }")),
    issues: [
      [
        12,
        46,
        'environments.dev.policies.podinfo.exclude.0',
        'invalid regular expression `^(?!rc)`: invalid or unsupported Perl syntax: `(?!`',
        'no lookahead',
      ],
    ],
  },
  {
    name: 'invalid regex in an image exclude',
    text: [
      'version: 1',
      'git: { url: file:///srv/fleet.git }',
      'images:',
      '  podinfo:',
      `    repository: ${URI}/podinfo`,
      '    exclude:',
      "      - '^cache-'",
      "      - '*-debug'",
      'environments:',
      ...dev("      podinfo: { semver: '^6.0.0' }"),
    ].join('\n'),
    issues: [
      [
        8,
        9,
        'images.podinfo.exclude.1',
        'invalid regular expression `*-debug`: missing argument to repetition operator: `*`',
      ],
    ],
  },
  {
    name: 'invalid semver range',
    text: withHead(...dev("      podinfo: { semver: 'six' }")),
    issues: [
      [12, 26, 'environments.dev.policies.podinfo.semver', '`six` is not a semver range', '>=1.0.0-0'],
    ],
  },
  {
    name: 'invalid cron expression',
    text: withHead(...dev("      podinfo: { semver: '^6' }"), "schedule: '*/5 * * *'"),
    issues: [
      [
        13,
        11,
        'schedule',
        'invalid cron expression `*/5 * * *`: expected 5 or 6 fields but got 4',
        '*/5 * * * *',
      ],
    ],
  },
  {
    name: 'invalid cron field',
    text: withHead(...dev("      podinfo: { semver: '^6' }"), "schedule: '61 * * * *'"),
    issues: [
      [13, 11, 'schedule', 'invalid cron expression `61 * * * *`: `61` is not a valid minute', 'five fields'],
    ],
  },
  {
    name: 'invalid duration in minAge',
    text: withHead(...dev("      podinfo: { semver: '^6.0.0', minAge: 1 day }")),
    issues: [
      [
        12,
        44,
        'environments.dev.policies.podinfo.minAge',
        '`1 day` is not a duration',
        '90s, 15m, 24h or 7d',
      ],
    ],
  },
  {
    name: 'invalid duration in promote.after',
    text: withHead(
      ...dev("      podinfo: { semver: '^6.0.0' }"),
      '  prod:',
      '    branch: main',
      '    policies:',
      '      podinfo: { promote: { from: dev, after: 1 week } }',
    ),
    issues: [
      [16, 47, 'environments.prod.policies.podinfo.promote.after', '`1 week` is not a duration', '7d'],
    ],
  },
  {
    name: 'policy for an unknown image far from any: lists the images',
    text: withHead(...dev('      redis: { newest: pushed }')),
    issues: [
      [
        12,
        7,
        'environments.dev.policies.redis',
        'policy for image `redis`, which is not under `images:`',
        'images: podinfo, api',
      ],
    ],
  },
  {
    name: 'a repository that is no image reference',
    text: withHead(...dev("      podinfo: { semver: '^6' }")).replace(
      `${URI}/acme/api`,
      'docker.io/library/Nginx',
    ),
    issues: [
      [
        7,
        17,
        'images.api.repository',
        '`docker.io/library/Nginx` is not an image repository: path component `Nginx` has upper-case letters',
        'nginx, ghcr.io/acme/api, 127.0.0.1:5000/team/api, or <account>.dkr.ecr.<region>.amazonaws.com/<name>',
      ],
    ],
  },
  {
    name: 'a repository URI with a tag',
    text: withHead(...dev("      podinfo: { semver: '^6' }")).replace(
      `${URI}/podinfo`,
      `${URI}/podinfo:6.0.1`,
    ),
    issues: [
      [
        5,
        17,
        'images.podinfo.repository',
        `\`${URI}/podinfo:6.0.1\` is not an ECR repository URI`,
        'remove the tag',
      ],
    ],
  },
  {
    name: 'version other than 1',
    text: withHead(...dev("      podinfo: { semver: '^6' }")).replace('version: 1', 'version: 2'),
    issues: [[1, 10, 'version', 'version must be 1, got the number 2', 'version: 1']],
  },
  {
    name: 'version quoted',
    text: withHead(...dev("      podinfo: { semver: '^6' }")).replace('version: 1', "version: '1'"),
    issues: [[1, 10, 'version', 'version must be 1, got the string `1`', 'without quotes']],
  },
  {
    name: 'a misspelt enum value',
    text: withHead(...dev('      api: { order: numeric }')),
    issues: [
      [
        12,
        21,
        'environments.dev.policies.api.order',
        'expected one of numerical, alphabetical, got the string `numeric`',
        'did you mean `numerical`?',
      ],
    ],
  },
  {
    name: 'duplicate keys',
    text: withHead(
      '  dev:',
      '    branch: dev',
      '    branch: main',
      '    policies:',
      "      podinfo: { semver: '^6' }",
    ),
    issues: [
      [
        11,
        5,
        'environments.dev.branch',
        'duplicate key `branch`: a key may appear once per mapping',
        'merge',
      ],
    ],
  },
  {
    name: 'tabs as indentation',
    text: withHead('  dev:', '\tbranch: dev'),
    issues: [[10, 1, '', 'tabs are not allowed as indentation', 'spaces']],
  },
  {
    name: 'more than one YAML document',
    text: `${withHead(...dev("      podinfo: { semver: '^6' }"))}---\nversion: 1\n`,
    issues: [[13, 1, '', 'the file holds more than one YAML document', '---']],
  },
  {
    name: 'a token pasted where the variable name belongs',
    text: withHead(
      ...dev("      podinfo: { semver: '^6' }"),
      'events: { http: { tokenEnv: ghp_abcdefghijklmnopqrstuv } }',
    ),
    issues: [
      [13, 29, 'events.http.tokenEnv', '`ghp_…` is not an environment variable name', 'never the secret'],
    ],
  },
  {
    name: 'an invalid branch name',
    text: withHead('  dev:', "    branch: 'feature..x'", '    policies:', "      podinfo: { semver: '^6' }"),
    issues: [
      [10, 13, 'environments.dev.branch', '`feature..x` is not a valid branch name', 'check-ref-format'],
    ],
  },
  {
    name: 'a path leaving the repository',
    text: withHead(
      '  dev:',
      '    branch: dev',
      '    paths: [../other]',
      '    policies:',
      "      podinfo: { semver: '^6' }",
    ),
    issues: [
      [11, 13, 'environments.dev.paths.0', '`../other` leaves the repository', 'inside the repository'],
    ],
  },
  {
    name: 'a queue URL that is not a URL',
    text: withHead(
      ...dev("      podinfo: { semver: '^6' }"),
      'events: { sqs: { queueUrl: drawbridge-ecr } }',
    ),
    issues: [[13, 28, 'events.sqs.queueUrl', 'the string `drawbridge-ecr` is not a URL', 'https://']],
  },
  {
    name: 'a misspelt required key is reported once, as unknown with the suggestion',
    text: withHead('  dev:', '    brnach: dev', '    policies:', "      podinfo: { semver: '^6' }"),
    issues: [[10, 5, 'environments.dev.brnach', 'unknown key `brnach`', 'did you mean `branch`?']],
  },
  {
    name: 'an unclosed quote points at where it opened',
    text: withHead(...dev("      podinfo: { semver: '^6.0.0 }")),
    issues: [
      [12, 26, 'environments.dev.policies.podinfo.semver', 'this single quote is never closed', "closing '"],
    ],
  },
];

describe('config errors from the schema and YAML name the line, column and fix', () => {
  it.each(cases)('$name', ({ text, issues }) => expectIssues(text, issues));
});
