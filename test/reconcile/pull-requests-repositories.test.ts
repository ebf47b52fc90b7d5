/**
 * Pull requests across repositories (SPEC §9 + §10): one `drawbridge scan` over three
 * repositories, each with its own forge — GitHub, GitLab and CodeCommit emulators in front of
 * three real bare remotes — 30 images in all. Each environment's pull request is opened on its
 * own repository's forge; a forge that refuses fails only its repository's environment.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';
import { startGitHubEmulator, type GitHubEmulator } from '../../src/testing/github/index.js';
import { startGitLabEmulator, type GitLabEmulator } from '../../src/testing/gitlab/index.js';
import { appDeployment, pushAged } from '../helpers/app-deployment.js';
import { createTestRemote, isolatedGitEnv, type TestRemote } from '../helpers/git.js';
import { captureIO } from '../helpers/io.js';

const GH_TOKEN = 'ghp_reposTESTtoken00000000000000000000';
const GL_TOKEN = 'glpat-repos-test-secret-000000';
const env = isolatedGitEnv({
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  GH_TOKEN,
  GL_TOKEN,
});
const REPOSITORIES = ['platform', 'apps', 'payments'] as const;
const PER_REPOSITORY = 10;

let ecr: Emulator;
let github: GitHubEmulator;
let gitlab: GitLabEmulator;
const remotes: Record<string, TestRemote> = {};
const uri: Record<string, string> = {};
let configFile: string;

const keysOf = (repository: string): string[] =>
  Array.from({ length: PER_REPOSITORY }, (_, i) => `${repository}-${i}`);
const deployment = (repository: string, tag: string): string =>
  appDeployment(uri, Object.fromEntries(keysOf(repository).map((key) => [key, tag])));

beforeAll(async () => {
  ecr = await startEmulator();
  for (const repository of REPOSITORIES)
    for (const key of keysOf(repository)) {
      uri[key] = ecr.ecr.createRepository(key);
      pushAged(ecr, key, '1.0.0');
    }
  for (const repository of REPOSITORIES)
    remotes[repository] = await createTestRemote({
      main: { 'apps/app.yaml': deployment(repository, '1.0.0') },
    });
  github = await startGitHubEmulator({ gitEnv: env });
  github.addRepository('acme/platform', remotes['platform']!.bare);
  github.addToken(GH_TOKEN, { permissions: { pull_requests: 'write', contents: 'write', issues: 'write' } });
  gitlab = await startGitLabEmulator({ env });
  gitlab.addProject('acme/apps', remotes['apps']!.bare);
  gitlab.addToken(GL_TOKEN);
  ecr.codecommit.addRepository('payments', remotes['payments']!.bare);
  configFile = join(remotes['platform']!.root, 'drawbridge.yaml');
  const workdir = (repository: string) => join(remotes[repository]!.root, 'work');
  await writeFile(
    configFile,
    [
      'version: 1',
      `git: { url: ${remotes['platform']!.url}, workdir: ${workdir('platform')}, author: { name: drawbridge, email: drawbridge@example.test },`,
      `  forge: { type: github, apiUrl: ${github.apiUrl}, repository: acme/platform, tokenEnv: GH_TOKEN, paceWrites: false } }`,
      'repositories:',
      `  apps: { url: ${remotes['apps']!.url}, workdir: ${workdir('apps')},`,
      `    forge: { type: gitlab, apiUrl: ${gitlab.apiUrl}, repository: acme/apps, tokenEnv: GL_TOKEN } }`,
      `  payments: { url: ${remotes['payments']!.url}, workdir: ${workdir('payments')},`,
      '    forge: { type: codecommit, repository: payments } }',
      `aws: { region: ${ecr.region}, endpoint: ${ecr.endpoint} }`,
      'images:',
      ...Object.entries(uri).map(([key, value]) => `  ${key}: { repository: ${value} }`),
      'environments:',
      ...REPOSITORIES.flatMap((repository) => [
        `  ${repository}-prod:`,
        '    branch: main',
        ...(repository === 'platform' ? [] : [`    repository: ${repository}`]),
        "    push: { branch: 'drawbridge/{env}', pullRequest: {} }",
        '    policies:',
        ...keysOf(repository).map((key) => `      ${key}: { semver: '^1.0.0' }`),
      ]),
      '',
    ].join('\n'),
  );
}, 120_000);

afterAll(async () => {
  await github.close();
  await gitlab.close();
  await ecr.close();
  for (const remote of Object.values(remotes)) await remote.cleanup();
});

async function scan(): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO({ env, cwd: remotes['platform']!.root });
  const code = await runCli(['scan', '--config', configFile], io);
  return { code, out: io.out(), err: io.err() };
}

const pushAll = (tag: string): void => {
  for (const key of Object.keys(uri)) pushAged(ecr, key, tag);
};

describe('pull requests across repositories', () => {
  it("opens each environment's pull request on its own repository's forge, and a forge that refuses fails only its own", async () => {
    pushAll('1.1.0');
    let run = await scan();
    expect(run.code, run.out + run.err).toBe(0);
    // The first repository is `git:` itself, named default.
    const named = (repository: string) => (repository === 'platform' ? 'default' : repository);
    for (const repository of REPOSITORIES)
      expect(run.out).toMatch(
        new RegExp(
          `^${repository}-prod \\(${named(repository)}: main → drawbridge/${repository}-prod\\): committed`,
          'm',
        ),
      );
    const gh = github.pullRequests('acme/platform');
    const gl = gitlab.mergeRequests('acme/apps');
    const cc = await ecr.codecommit.pullRequests('payments');
    expect(gh.map((pr) => [pr.head, pr.state])).toEqual([['drawbridge/platform-prod', 'open']]);
    expect(gl.map((mr) => [mr.sourceBranch, mr.state])).toEqual([['drawbridge/apps-prod', 'opened']]);
    expect(cc.map((pr) => [pr.source, pr.status])).toEqual([['drawbridge/payments-prod', 'OPEN']]);
    expect(gh[0]?.title).toBe('deploy(platform-prod): platform-0 1.0.0 → 1.1.0 and 9 more');
    for (const repository of REPOSITORIES)
      expect(await remotes[repository]!.readFile(`drawbridge/${repository}-prod`, 'apps/app.yaml')).toBe(
        deployment(repository, '1.1.0'),
      );

    // GitLab stops taking the token: only apps-prod fails; the others bring their pull requests up to date.
    gitlab.addToken(GL_TOKEN, { scopes: ['read_api'] });
    pushAll('1.2.0');
    run = await scan();
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/^apps-prod \(apps: main → drawbridge\/apps-prod\): FAILED$/m);
    expect(run.out).toMatch(/^platform-prod \(default: .*\): committed/m);
    expect(run.out).toMatch(/^payments-prod \(payments: .*\): committed/m);
    expect(run.out).toMatch(/pull request #1 updated: .*\/acme\/platform\/pull\/1/);
    expect(await remotes['apps']!.readFile('drawbridge/apps-prod', 'apps/app.yaml')).toBe(
      deployment('apps', '1.2.0'),
    );
    expect(run.out + run.err).not.toContain(GL_TOKEN);
    expect(run.out + run.err).not.toContain(GH_TOKEN);
  }, 180_000);
});
