/**
 * Merge requests on GitLab and pull requests on CodeCommit end to end (SPEC §10), through
 * `drawbridge scan`: the ECR emulator, a real bare remote, and the forge's emulator in front of
 * that remote, driven by `@gitbeaker/rest` and `@aws-sdk/client-codecommit` unmodified. Each
 * forge goes the whole way: opened with what the forge supports → updated → merged by the
 * forge's own auto-merge (GitLab's pipeline) or by drawbridge once approval rules are met
 * (CodeCommit) → nothing pending → closed unmerged → that tag refused → a newer one proposed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseTrailers } from '../../src/git/trailers.js';
import type { Emulator } from '../../src/testing/emulator/index.js';
import { startGitLabEmulator, type GitLabEmulator } from '../../src/testing/gitlab/index.js';
import { git, isolatedGitEnv, type TestRemote } from '../helpers/git.js';
import { openPullRequestStage, type CliRun, type PullRequestStage } from '../helpers/pull-request-stage.js';

const TOKEN = 'glpat-E2E-secret-0000000000';
const SECRET_KEY = 'e2e-aws-secret-key-do-not-print';
const PROJECT = 'acme/fleet';
const env = isolatedGitEnv({
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: SECRET_KEY,
  GITLAB_TOKEN: TOKEN,
});

let stage: PullRequestStage;
let ecr: Emulator;
let remote: TestRemote;
const deployment = (images: Record<string, string>): string => stage.deployment(images);
const push = (repository: string, tag: string): void => stage.push(repository, tag);
const writeConfig = (forge: string, pullRequest: string): Promise<void> =>
  stage.writeConfig({ forge, pullRequest });
const scan = (...args: string[]): Promise<CliRun> => stage.scan(...args);
const status = (): Promise<string> => stage.status();

beforeEach(async () => {
  stage = await openPullRequestStage(env);
  ({ ecr, remote } = stage);
});

afterEach(async () => {
  await stage.close();
});

describe('merge requests on GitLab', () => {
  let gitlab: GitLabEmulator;

  beforeEach(async () => {
    gitlab = await startGitLabEmulator({ env });
    gitlab.addProject(PROJECT, remote.bare);
    gitlab.addUser('alice');
    gitlab.addToken(TOKEN);
  });
  afterEach(async () => {
    await gitlab.close();
  });

  const opened = () => gitlab.mergeRequests(PROJECT).filter((mr) => mr.state === 'opened');

  it('opens with labels and reviewers, updates, merges by squash when the pipeline passes, and refuses what a person closed', async () => {
    await writeConfig(
      `{ type: gitlab, apiUrl: ${gitlab.apiUrl}, repository: ${PROJECT}, tokenEnv: GITLAB_TOKEN }`,
      '{ labels: [deploy, prod], reviewers: [alice], autoMerge: squash }',
    );
    const seed = await remote.head('main');

    push('api', '1.1.0');
    let run = await scan();
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toMatch(
      /^ {2}pull request #1 opened, auto-merge on: http:\/\/127\.0\.0\.1:\d+\/acme\/fleet\/-\/merge_requests\/1 \(from drawbridge\/prod\)$/m,
    );
    expect(await remote.head('main')).toBe(seed);
    expect(opened()).toHaveLength(1);
    expect(opened()[0]).toMatchObject({
      iid: 1,
      title: 'deploy(prod): api 1.0.0 → 1.1.0',
      sourceBranch: 'drawbridge/prod',
      targetBranch: 'main',
      labels: ['deploy', 'prod'],
      reviewers: ['alice'],
      autoMerge: true,
      squash: true,
    });
    expect(opened()[0]?.description).toContain('| 1.0.0 | 1.1.0 |');

    // A newer tag before the pipeline ran: the same merge request, brought up to date.
    push('api', '1.2.0');
    push('web', '2.1.0');
    run = await scan('--json');
    const line = JSON.parse(run.out.trim().split('\n')[0]!) as { pullRequests: unknown[] };
    expect(line.pullRequests).toEqual([
      {
        number: 1,
        url: expect.stringMatching(/\/acme\/fleet\/-\/merge_requests\/1$/) as unknown,
        branch: 'drawbridge/prod',
        action: 'updated',
        autoMerge: 'enabled',
      },
    ]);
    expect(opened()).toHaveLength(1);
    expect(opened()[0]?.title).toBe('deploy(prod): api 1.0.0 → 1.2.0, web 2.0.0 → 2.1.0');
    // GitLab aborted the auto-merge set for the old commit when the branch moved; drawbridge set it again.
    expect(gitlab.notes(PROJECT, 1).filter((note) => note.system)).toHaveLength(1);
    expect(opened()[0]?.autoMerge).toBe(true);
    expect(await status()).toMatch(/pull request #1/);

    // The pipeline passes: GitLab squashes it into main with drawbridge's message and trailers.
    expect(await gitlab.runPipelines()).toBe(1);
    expect(await remote.readFile('main', 'apps/app.yaml')).toBe(deployment({ api: '1.2.0', web: '2.1.0' }));
    const [squashed] = await remote.log('main');
    expect(parseTrailers(squashed!.message).updates.map((u) => `${u.image} ${u.new}`)).toEqual([
      'api 1.2.0',
      'web 2.1.0',
    ]);
    run = await scan();
    expect(run.out).toMatch(/^prod \(main → drawbridge\/prod\): up to date$/m);
    expect(gitlab.mergeRequests(PROJECT)).toHaveLength(1);

    // A newer tag: a new merge request; a person closes it without merging.
    push('api', '1.3.0');
    run = await scan();
    expect(run.out).toMatch(/pull request #2 opened, auto-merge on/);
    await gitlab.close(PROJECT, 2);
    run = await scan('--explain');
    expect(run.code).toBe(0);
    expect(run.out).toContain('rejected 1.3.0: reverted (refused: pull request #2 closed without merging)');
    expect(opened()).toHaveLength(0);
    expect(await status()).toMatch(/1\.3\.0 reverted: refused: pull request #2 closed without merging/);

    // A newer eligible tag: proposed again.
    push('api', '1.4.0');
    run = await scan();
    expect(run.out).toMatch(/pull request #3 opened/);
    expect(opened().map((mr) => mr.title)).toEqual(['deploy(prod): api 1.2.0 → 1.4.0']);
    for (const text of [run.out, run.err]) expect(text).not.toContain(TOKEN);
  }, 120_000);

  it('closes its merge request with a note when a person did the update, and keeps the branch when GitLab refuses a reviewer', async () => {
    await writeConfig(
      `{ type: gitlab, apiUrl: ${gitlab.apiUrl}, repository: ${PROJECT}, tokenEnv: GITLAB_TOKEN }`,
      '{ teamReviewers: [platform] }',
    );
    push('api', '1.1.0');
    // GitLab has no team reviewers: validation says so, with where; nothing is pushed.
    let run = await scan();
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/drawbridge\.yaml:\d+:\d+/);
    expect(run.err).toContain('GitLab has no team reviewers');
    expect(await remote.head('drawbridge/prod')).toBeUndefined();

    // A reviewer GitLab does not know: the environment fails with the hint; the branch stays pushed.
    await writeConfig(
      `{ type: gitlab, apiUrl: ${gitlab.apiUrl}, repository: ${PROJECT}, tokenEnv: GITLAB_TOKEN }`,
      '{ reviewers: [nobody] }',
    );
    run = await scan();
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/^prod \(main → drawbridge\/prod\): FAILED$/m);
    expect(run.out).toContain('nobody');
    expect(run.out).toContain('reviewers are GitLab usernames');
    expect(await remote.head('drawbridge/prod')).toBeDefined();

    await writeConfig(
      `{ type: gitlab, apiUrl: ${gitlab.apiUrl}, repository: ${PROJECT}, tokenEnv: GITLAB_TOKEN }`,
      '{ reviewers: [alice] }',
    );
    run = await scan();
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/pull request #1 opened/);

    // A person deletes the source branch: GitLab keeps the merge request open; drawbridge
    // pushes the branch again and keeps the same merge request.
    await git(remote.bare, ['branch', '-D', 'drawbridge/prod']);
    run = await scan();
    expect(run.code, run.out).toBe(0);
    expect(await remote.head('drawbridge/prod')).toBeDefined();
    expect(opened().map((mr) => mr.iid)).toEqual([1]);
    expect(opened()[0]?.sha).toBe(await remote.head('drawbridge/prod'));

    // A person puts 1.1.0 on main by hand: nothing pending, so drawbridge closes with a note.
    await remote.commit('main', { 'apps/app.yaml': deployment({ api: '1.1.0', web: '2.0.0' }) });
    run = await scan();
    expect(run.out).toMatch(/pull request #1 closed: nothing pending/);
    expect(gitlab.notes(PROJECT, 1).map((note) => note.body)).toEqual([
      expect.stringContaining('Nothing is pending any more') as unknown,
    ]);
    // Closed by drawbridge: refuses nothing.
    push('api', '1.2.0');
    run = await scan();
    expect(run.out).toMatch(/pull request #2 opened/);
  }, 120_000);
});

describe('pull requests on CodeCommit', () => {
  const REPOSITORY = 'fleet';

  beforeEach(() => {
    ecr.codecommit.addRepository(REPOSITORY, remote.bare);
  });

  const pulls = () => ecr.codecommit.pullRequests(REPOSITORY);

  it('waits for approval rules, merges once approved, and refuses what a person closed', async () => {
    ecr.codecommit.requireApprovals(REPOSITORY, 1, { pool: [ecr.codecommit.userArn('alice')] });
    await writeConfig(`{ type: codecommit, repository: ${REPOSITORY} }`, '{ autoMerge: merge }');
    const seed = await remote.head('main');

    push('api', '1.1.0');
    let run = await scan();
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toMatch(
      /^ {2}pull request #1 opened, merges once its approval rules are satisfied: https:\/\/\S+\/codecommit\/repositories\/fleet\/pull-requests\/1\S* \(from drawbridge\/prod\)$/m,
    );
    let [first] = await pulls();
    expect(first).toMatchObject({
      id: '1',
      title: 'deploy(prod): api 1.0.0 → 1.1.0',
      status: 'OPEN',
      merged: false,
    });
    expect(first?.source).toContain('drawbridge/prod');
    expect(await remote.head('main')).toBe(seed);

    // Not approved yet: still waiting, nothing merged.
    run = await scan();
    expect(run.out).toMatch(/pull request #1 open, up to date, merges once its approval rules are satisfied/);
    expect(await remote.head('main')).toBe(seed);

    // A newer tag: the same pull request, with a new revision; an approval of the old one would not count.
    push('api', '1.2.0');
    run = await scan();
    expect(run.out).toMatch(/pull request #1 updated/);
    [first] = await pulls();
    expect(first?.title).toBe('deploy(prod): api 1.0.0 → 1.2.0');

    // Alice approves: drawbridge merges on its next pass, and main carries the update and trailers.
    await ecr.codecommit.approve(REPOSITORY, 1, 'alice');
    run = await scan();
    expect(run.out).toMatch(/pull request #1 open, up to date, merged \(approval rules satisfied\)/);
    [first] = await pulls();
    expect(first).toMatchObject({ status: 'CLOSED', merged: true });
    expect(await remote.readFile('main', 'apps/app.yaml')).toBe(deployment({ api: '1.2.0', web: '2.0.0' }));
    run = await scan();
    expect(run.out).toMatch(/^prod \(main → drawbridge\/prod\): up to date$/m);

    // A newer tag; a person closes its pull request: refused, until a newer one.
    push('api', '1.3.0');
    run = await scan();
    expect(run.out).toMatch(/pull request #2 opened/);
    await ecr.codecommit.close(REPOSITORY, 2);
    run = await scan('--explain');
    expect(run.code).toBe(0);
    expect(run.out).toContain('rejected 1.3.0: reverted (refused: pull request #2 closed without merging)');
    expect(await status()).toMatch(/1\.3\.0 reverted: refused: pull request #2 closed without merging/);
    push('api', '1.4.0');
    run = await scan();
    expect(run.out).toMatch(/pull request #3 opened/);
    expect((await pulls()).filter((pr) => pr.status === 'OPEN').map((pr) => pr.title)).toEqual([
      'deploy(prod): api 1.2.0 → 1.4.0',
    ]);
    for (const text of [run.out, run.err]) expect(text).not.toContain(SECRET_KEY);
  }, 120_000);

  it('fails the environment with the missing IAM action named, keeps the branch, and recovers', async () => {
    await writeConfig(`{ type: codecommit, repository: ${REPOSITORY} }`, '{}');
    ecr.codecommit.denyAccess(REPOSITORY, 'CreatePullRequest');
    push('api', '1.1.0');
    let run = await scan();
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/^prod \(main → drawbridge\/prod\): FAILED$/m);
    expect(run.out).toContain('codecommit:CreatePullRequest');
    expect(await remote.head('drawbridge/prod')).toBeDefined();
    ecr.codecommit.allowAccess(REPOSITORY);
    run = await scan();
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/pull request #1 opened/);
  }, 120_000);
});
