import { describe, it } from 'vitest';
import { dev, expectIssues, withHead, type ErrorCase } from './helpers.js';

const cases: readonly ErrorCase[] = [
  {
    name: 'policy for an image not under images: suggests the closest',
    text: withHead(...dev("      podinfo: { semver: '^6.0.0' }", '      apii: { newest: pushed }')),
    issues: [
      [
        13,
        7,
        'environments.dev.policies.apii',
        'policy for image `apii`, which is not under `images:`',
        'did you mean `api`?',
      ],
    ],
  },
  {
    name: 'promote.healthy with a context of two lines, and an empty list',
    text: withHead(
      ...dev("      podinfo: { semver: '^6.0.0' }"),
      '  prod:',
      '    branch: main',
      '    policies:',
      '      podinfo: { promote: { from: dev, after: 1h, healthy: ["apps\\nDrawbridge-Update: x"] } }',
      '      api: { promote: { from: dev, after: 1h, healthy: [] } }',
    ),
    issues: [
      [
        16,
        51,
        'environments.prod.policies.podinfo.promote.healthy',
        "`healthy` reads the commit statuses of dev's commits, but repository `default` has no forge:",
      ],
      [
        16,
        61,
        'environments.prod.policies.podinfo.promote.healthy.0',
        'not a commit status context: "apps\\nDrawbridge-Update: x"',
        'the context as the forge shows it, one line of at most 255 characters, e.g. kustomization/apps',
      ],
      [
        17,
        56,
        'environments.prod.policies.api.promote.healthy',
        'the list is empty',
        'list at least one entry, or remove the key',
      ],
    ],
  },
  {
    name: 'promote.healthy whose source repository has no forge to read statuses from',
    text: withHead(
      ...dev("      podinfo: { semver: '^6.0.0' }"),
      '  prod:',
      '    branch: main',
      '    policies:',
      '      podinfo: { promote: { from: dev, after: 1h, healthy: [kustomization/apps] } }',
    ),
    issues: [
      [
        16,
        51,
        'environments.prod.policies.podinfo.promote.healthy',
        "`healthy` reads the commit statuses of dev's commits, but repository `default` has no forge:",
        "give repository `default` a GitHub or GitLab forge (forge: { type: github, repository: owner/name } or { type: gitlab, repository: group/project }), or set events.statuses and point Flux's generic provider or Argo CD's webhook at it, or remove healthy",
      ],
    ],
  },
  {
    name: 'onFailure.revert on an environment whose repository has no forge to read statuses from',
    text: withHead(
      ...dev("      podinfo: { semver: '^6.0.0' }"),
      '  prod:',
      '    branch: main',
      '    onFailure: { revert: [kustomization/apps] }',
      '    policies:',
      "      podinfo: { semver: '^6.0.0' }",
    ),
    issues: [
      [
        15,
        18,
        'environments.prod.onFailure.revert',
        "`revert` reads the commit statuses of drawbridge's commits on prod, but repository `default` has no forge:",
        "give repository `default` a GitHub or GitLab forge (forge: { type: github, repository: owner/name } or { type: gitlab, repository: group/project }), or set events.statuses and point Flux's generic provider or Argo CD's webhook at it, or remove onFailure",
      ],
    ],
  },
  {
    name: 'onFailure.revert on an environment pushing to push.branch without a pull request',
    text: withHead(
      ...dev("      podinfo: { semver: '^6.0.0' }"),
      '  prod:',
      '    branch: main',
      '    push: { branch: drawbridge/prod }',
      '    onFailure: { revert: [kustomization/apps] }',
      '    policies:',
      "      podinfo: { semver: '^6.0.0' }",
      'events:',
      '  statuses: { tokenEnv: DRAWBRIDGE_STATUS_TOKEN }',
    ),
    issues: [
      [
        16,
        18,
        'environments.prod.onFailure.revert',
        '`revert` on prod goes through a pull request, since prod pushes to `push.branch`, but it has no `push.pullRequest`',
        'add push.pullRequest (the revert is proposed in one, with its labels, reviewers and auto-merge), or push to the branch directly',
      ],
    ],
  },
  {
    name: 'promote.from naming an unknown environment',
    text: withHead(
      ...dev("      podinfo: { semver: '^6.0.0' }"),
      '  prod:',
      '    branch: main',
      '    policies:',
      '      podinfo: { promote: { from: dve, after: 1h } }',
    ),
    issues: [
      [
        16,
        35,
        'environments.prod.policies.podinfo.promote.from',
        '`dve` is not an environment',
        'did you mean `dev`?',
      ],
    ],
  },
  {
    name: 'promoting from itself',
    text: withHead(
      ...dev("      podinfo: { semver: '^6.0.0' }"),
      '  prod:',
      '    branch: main',
      '    policies:',
      '      podinfo: { promote: { from: prod, after: 1h } }',
    ),
    issues: [[16, 35, 'environments.prod.policies.podinfo.promote.from', '`prod` promotes from itself']],
  },
  {
    name: 'a promotion cycle of two is named once',
    text: withHead(
      '  staging:',
      '    branch: staging',
      '    policies:',
      '      podinfo: { promote: { from: prod, after: 1h } }',
      '  prod:',
      '    branch: main',
      '    policies:',
      '      podinfo: { promote: { from: staging, after: 1h } }',
    ),
    issues: [
      [
        12,
        35,
        'environments.staging.policies.podinfo.promote.from',
        'promotion cycle: staging → prod → staging',
        'semver',
      ],
    ],
  },
  {
    name: 'a promotion cycle of three, in the direction tags flow',
    text: withHead(
      '  dev:',
      '    branch: dev',
      '    policies:',
      '      api: { promote: { from: prod, after: 1h } }',
      '  staging:',
      '    branch: staging',
      '    policies:',
      '      api: { promote: { from: dev, after: 1h } }',
      '  prod:',
      '    branch: main',
      '    policies:',
      '      api: { promote: { from: staging, after: 1h } }',
    ),
    issues: [
      [12, 31, 'environments.dev.policies.api.promote.from', 'promotion cycle: dev → staging → prod → dev'],
    ],
  },
  {
    name: 'a policy without an ordering',
    text: withHead(...dev('      podinfo: { minAge: 2h }')),
    issues: [[12, 16, 'environments.dev.policies.podinfo', 'the policy has no ordering', 'exactly one of']],
  },
  {
    name: 'a policy with two orderings',
    text: withHead(...dev("      podinfo: { semver: '^6.0.0', newest: pushed }")),
    issues: [
      [
        12,
        36,
        'environments.dev.policies.podinfo.newest',
        '`semver` and `newest` are both orderings; a policy has exactly one',
        'keep one',
      ],
    ],
  },
  {
    name: 'extract without pattern',
    text: withHead(...dev("      api: { order: numerical, extract: '$1' }")),
    issues: [
      [12, 32, 'environments.dev.policies.api.extract', '`extract` needs a `pattern` to take the group from'],
    ],
  },
  {
    name: 'extract naming group 2 of a pattern with one',
    text: withHead(...dev("      api: { pattern: '^main-(\\d+)$', extract: '$2', order: numerical }")),
    issues: [
      [
        12,
        48,
        'environments.dev.policies.api.extract',
        '`$2` names a group the pattern does not have',
        'the pattern has one group ($1)',
      ],
    ],
  },
  {
    name: 'extract naming a group name the pattern lacks',
    text: withHead(
      ...dev("      api: { pattern: '^main-(?<ts>\\d+)$', extract: '$build', order: numerical }"),
    ),
    issues: [
      [
        12,
        53,
        'environments.dev.policies.api.extract',
        '`$build` names a group the pattern does not have',
        'named $ts',
      ],
    ],
  },
  {
    name: 'direction without order',
    text: withHead(...dev("      podinfo: { semver: '^6.0.0', direction: desc }")),
    issues: [
      [
        12,
        36,
        'environments.dev.policies.podinfo.direction',
        '`direction` applies only to `order: alphabetical` or `order: numerical`',
      ],
    ],
  },
  {
    name: 'two environments writing the whole of one branch',
    text: withHead(
      '  dev:',
      '    branch: main',
      '    policies:',
      "      podinfo: { semver: '^6.0.0' }",
      '  prod:',
      '    branch: main',
      '    policies:',
      '      api: { newest: pushed }',
    ),
    issues: [
      [
        14,
        13,
        'environments.prod.branch',
        '`prod` and `dev` both edit the whole branch `main`',
        'own branch',
      ],
    ],
  },
  {
    name: 'a path inside another environment’s path on the same branch',
    text: withHead(
      '  dev:',
      '    branch: main',
      '    paths: [clusters]',
      '    policies:',
      "      podinfo: { semver: '^6.0.0' }",
      '  prod:',
      '    branch: main',
      '    paths: [apps, clusters/prod/]',
      '    policies:',
      '      api: { newest: pushed }',
    ),
    issues: [
      [
        16,
        19,
        'environments.prod.paths.1',
        '`prod` edits `clusters/prod` on branch `main`, inside `clusters` of `dev`',
      ],
    ],
  },
  {
    name: 'push.branch is the branch an environment writes',
    text: withHead(
      '  dev:',
      '    branch: main',
      '    policies:',
      "      podinfo: { semver: '^6.0.0' }",
      '  prod:',
      '    branch: release',
      '    push: { branch: main }',
      '    policies:',
      '      api: { newest: pushed }',
    ),
    issues: [[15, 21, 'environments.prod.push.branch', '`prod` and `dev` both edit the whole branch `main`']],
  },
];

describe('config errors across fields name the line, column and fix', () => {
  it.each(cases)('$name', ({ text, issues }) => expectIssues(text, issues));
});
