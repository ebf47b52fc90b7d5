/** `forge:` and `push.pullRequest` (SPEC §10): resolution, inheritance and the rules' errors. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { repositoriesOf } from '../../src/config/repositories.js';
import { issuesOf } from './helpers.js';

const IMAGES = ['images:', '  api: { repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/api }'];

function config(git: string, environment: string, more: string[] = []): string {
  return [
    'version: 1',
    `git: ${git}`,
    ...more,
    ...IMAGES,
    'environments:',
    `  prod: ${environment}`,
    '',
  ].join('\n');
}

const PROD_PR =
  "{ branch: main, push: { branch: 'drawbridge/{env}', pullRequest: { labels: [deploy] } }, policies: { api: { semver: '^1.0.0' } } }";

describe('forge settings', () => {
  it('infers the type and repository from the URL, per repository, and inherits credentials by host', () => {
    const { config: parsed } = parseConfig(
      config('{ url: https://github.com/acme/fleet.git, forge: { tokenEnv: GITHUB_TOKEN } }', PROD_PR, [
        'repositories:',
        '  web: { url: git@github.com:acme/web.git }',
        '  ops: { url: https://gitlab.example.com/platform/ops.git, forge: { type: gitlab, apiUrl: https://gitlab.example.com/api/v4, tokenEnv: GITLAB_TOKEN } }',
        '  cc: { url: https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/fleet }',
        '  local: { url: file:///srv/local.git }',
      ]),
      '/conf/drawbridge.yaml',
    );
    const forges = Object.fromEntries(repositoriesOf(parsed).map((r) => [r.name, r.forge]));
    expect(forges['default']).toEqual({ type: 'github', repository: 'acme/fleet', tokenEnv: 'GITHUB_TOKEN' });
    // Same host as git: the forge comes along, with this URL's own repository path.
    expect(forges['web']).toEqual({ type: 'github', repository: 'acme/web', tokenEnv: 'GITHUB_TOKEN' });
    expect(forges['ops']).toEqual({
      type: 'gitlab',
      repository: 'platform/ops',
      apiUrl: 'https://gitlab.example.com/api/v4',
      tokenEnv: 'GITLAB_TOKEN',
    });
    // Another host: no forge unless it says so.
    expect(forges['cc']).toBeUndefined();
    expect(forges['local']).toBeUndefined();
    expect(parsed.environments['prod']?.push?.pullRequest).toEqual({ labels: ['deploy'], draft: false });
  });

  it('takes a GitHub App', () => {
    const { config: parsed } = parseConfig(
      config(
        '{ url: https://github.com/acme/fleet.git, forge: { appId: 12, privateKeyFile: app.pem, installationId: 34 } }',
        PROD_PR,
      ),
      '/conf/drawbridge.yaml',
    );
    expect(repositoriesOf(parsed)[0]?.forge).toEqual({
      type: 'github',
      repository: 'acme/fleet',
      app: { appId: 12, privateKeyFile: 'app.pem', installationId: 34 },
    });
  });

  const errors: readonly { name: string; text: string; path: string; message: string; hint: string }[] = [
    {
      name: 'a host that names no forge',
      text: config('{ url: https://git.example.com/acme/fleet.git, forge: { tokenEnv: T } }', PROD_PR),
      path: 'git.forge',
      message: 'cannot tell the forge from the URL',
      hint: 'write forge.type: github, gitlab, codecommit',
    },
    {
      name: 'an unknown forge type',
      text: config('{ url: https://github.com/acme/fleet.git, forge: { type: bitbucket } }', PROD_PR),
      path: 'git.forge.type',
      message: 'expected one of github, gitlab, codecommit, got the string `bitbucket`',
      hint: '',
    },
    {
      name: 'GitHub without a token or an App',
      text: config('{ url: https://github.com/acme/fleet.git, forge: { type: github } }', PROD_PR),
      path: 'git.forge',
      message: 'github needs a token',
      hint: 'tokenEnv: GITHUB_TOKEN',
    },
    {
      name: 'half a GitHub App',
      text: config('{ url: https://github.com/acme/fleet.git, forge: { appId: 3 } }', PROD_PR),
      path: 'git.forge',
      message:
        'a GitHub App needs appId, privateKeyFile and installationId; privateKeyFile and installationId missing',
      hint: 'installation',
    },
    {
      name: 'a local remote with no repository path',
      text: config('{ url: /srv/fleet.git, forge: { type: gitlab, tokenEnv: T } }', PROD_PR),
      path: 'git.forge',
      message: 'cannot tell the repository from the URL',
      hint: 'forge.repository: <owner>/<name>',
    },
    {
      name: 'a pull request in a repository without a forge',
      text: config('{ url: /srv/fleet.git }', PROD_PR),
      path: 'environments.prod.push.pullRequest',
      message: 'pull requests need a forge, and repository default has none',
      hint: 'set git.forge',
    },
    {
      name: 'a pull request from the environment branch itself',
      text: config(
        '{ url: https://github.com/acme/fleet.git, forge: { tokenEnv: T } }',
        "{ branch: main, push: { branch: main, pullRequest: {} }, policies: { api: { semver: '^1.0.0' } } }",
      ),
      path: 'environments.prod.push.branch',
      message: 'a pull request needs a branch of its own: push.branch is the environment branch',
      hint: 'drawbridge/{env}',
    },
    {
      name: 'an unknown placeholder in push.branch',
      text: config(
        '{ url: https://github.com/acme/fleet.git, forge: { tokenEnv: T } }',
        "{ branch: main, push: { branch: 'drawbridge/{environment}', pullRequest: {} }, policies: { api: { semver: '^1.0.0' } } }",
      ),
      path: 'environments.prod.push.branch',
      message: 'unknown placeholder {environment} in `drawbridge/{environment}`',
      hint: '{env} and {image}',
    },
    {
      name: 'labels on CodeCommit',
      text: config(
        '{ url: https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/fleet, forge: {} }',
        PROD_PR,
      ),
      path: 'environments.prod.push.pullRequest.labels',
      message: 'CodeCommit pull requests have no labels',
      hint: 'remove labels for codecommit',
    },
    {
      name: 'team reviewers on GitLab',
      text: config(
        '{ url: https://gitlab.com/acme/fleet.git, forge: { tokenEnv: T } }',
        "{ branch: main, push: { branch: 'drawbridge/{env}', pullRequest: { teamReviewers: [platform] } }, policies: { api: { semver: '^1.0.0' } } }",
      ),
      path: 'environments.prod.push.pullRequest.teamReviewers',
      message: 'GitLab has no team reviewers: name users under reviewers, or use CODEOWNERS',
      hint: '',
    },
  ];
  for (const { name, text, path, message, hint } of errors) {
    it(`refuses ${name}, with line and column`, () => {
      const issues = issuesOf(text);
      const issue = issues.find((i) => i.path === path);
      expect(issue, JSON.stringify(issues)).toBeDefined();
      expect(issue?.message).toContain(message);
      expect(issue?.hint ?? '').toContain(hint);
      expect(issue?.line).toBeGreaterThan(1);
      expect(issue?.column).toBeGreaterThan(0);
    });
  }
});
