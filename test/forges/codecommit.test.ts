import { execFile } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ForgeError } from '../../src/errors.js';
import type { Forge, NewPullRequest, PullRequest } from '../../src/forge.js';
import { createCodeCommitForge } from '../../src/forges/codecommit/index.js';
import { parseTrailers } from '../../src/git/trailers.js';
import { mapBounded } from '../../src/map-bounded.js';
import { createLogger } from '../../src/log/logger.js';
import { Redactor } from '../../src/log/redact.js';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';
import { createTestRemote, isolatedGitEnv, type TestRemote } from '../helpers/git.js';

const ACCESS_KEY = 'AKIDDRAWBRIDGE';
const MESSAGE =
  'chore(prod): update api to 1.2.4\n\nDrawbridge-Environment: prod\nDrawbridge-Update: api 1.2.3 -> 1.2.4\n';
const HEAD = 'drawbridge/prod';

let emulator: Emulator;
let remote: TestRemote;
let repo: string;
let forge: Forge;
let count = 0;
/** A clock that moves a second per reading, so activity order is certain. */
let clock = Date.parse('2026-03-01T12:00:00Z');

const request = (overrides: Partial<NewPullRequest> = {}): NewPullRequest => ({
  title: 'Update api to 1.2.4',
  body: 'drawbridge updates one image.',
  head: HEAD,
  base: 'main',
  draft: false,
  labels: [],
  reviewers: [],
  teamReviewers: [],
  ...overrides,
});

function forgeFor(repository: string, settings: { region?: string } = { region: emulator.region }): Forge {
  return createCodeCommitForge({
    settings: { type: 'codecommit', repository, ...settings },
    env: { AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: 'drawbridge-secret' },
    logger: createLogger({ level: 'silent' }),
    redactor: new Redactor(),
    baseDir: '/',
    awsEndpoint: emulator.endpoint,
  });
}

async function pushUpdate(branch = HEAD, content = 'image: api:1.2.4\n', message = MESSAGE): Promise<string> {
  return remote.commit(branch, { 'app.yaml': content }, { from: 'main', message });
}

async function failure(promise: Promise<unknown>): Promise<ForgeError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ForgeError);
  return error as ForgeError;
}

/** Many branches at one commit, in one git call. */
function createBranches(names: readonly string[], sha: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      ['update-ref', '--stdin'],
      { cwd: remote.bare, env: isolatedGitEnv() },
      (error) => (error ? reject(new Error(`git update-ref failed: ${error.message}`)) : resolve()),
    );
    child.stdin?.end(names.map((name) => `create refs/heads/${name} ${sha}\n`).join(''));
  });
}

beforeAll(async () => {
  emulator = await startEmulator({ now: () => new Date((clock += 1000)) });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  count += 1;
  repo = `fleet-${count}`;
  remote = await createTestRemote({ main: { 'app.yaml': 'image: api:1.2.3\n' } });
  emulator.codecommit.addRepository(repo, remote.bare);
  forge = forgeFor(repo);
});
afterEach(async () => {
  emulator.faults.clear();
  emulator.server.resetCalls();
  await remote.cleanup();
});

describe('CodeCommit forge: pull requests', () => {
  it('opens a pull request in drawbridge terms', async () => {
    const sha = await pushUpdate();
    const pr = await forge.open(request());
    expect(pr).toMatchObject({
      state: 'open',
      head: HEAD,
      base: 'main',
      headSha: sha,
      title: 'Update api to 1.2.4',
      body: 'drawbridge updates one image.',
    });
    expect(pr.url).toBe(
      `https://${emulator.region}.console.aws.amazon.com/codesuite/codecommit/repositories/${repo}/pull-requests/${pr.number}/details?region=${emulator.region}`,
    );
    expect(pr.updatedAt).toBeInstanceOf(Date);
  });

  it('signs with the keys of the environment it was given', async () => {
    await pushUpdate();
    const pr = await forge.open(request());
    // The author cannot approve their own pull request: the author is the env's access key.
    await expect(emulator.codecommit.approve(repo, pr.number, ACCESS_KEY)).rejects.toThrow(/author/);
  });

  it('updates the title and description, and leaves them alone when they are the same', async () => {
    await pushUpdate();
    const pr = await forge.open(request());
    const updated = await forge.update(pr, { title: 'Update api to 1.2.5', body: 'new body' });
    expect(updated).toMatchObject({ number: pr.number, title: 'Update api to 1.2.5', body: 'new body' });
    emulator.server.resetCalls();
    expect(await forge.update(updated, { title: updated.title, body: updated.body })).toBe(updated);
    expect(emulator.server.calls()).toBe(0);
  });

  it('closes with a comment on the current commits and the new description', async () => {
    await pushUpdate();
    const pr = await forge.open(request());
    await forge.close(pr, 'Nothing is pending any more.', 'closed body');
    const [view] = await emulator.codecommit.pullRequests(repo);
    expect(view).toMatchObject({ status: 'CLOSED', merged: false, description: 'closed body' });
    expect(view?.comments.map((comment) => comment.content)).toEqual(['Nothing is pending any more.']);
    expect(await forge.listOpen('main')).toEqual([]);
    const [closed] = await forge.listClosed('main', 5);
    expect(closed).toMatchObject({ number: pr.number, state: 'closed', body: 'closed body' });
  });

  it('lists every open pull request into the branch at size (250, paged)', async () => {
    const sha = await pushUpdate('seed');
    const names = Array.from({ length: 250 }, (_, i) => `update/${i}`);
    await createBranches([...names, 'other/0', 'other/1'], sha);
    await remote.commit('release', {}, { from: 'main', message: 'release branch' });
    await mapBounded(names, 8, (head) => forge.open(request({ head })));
    for (const head of ['other/0', 'other/1']) await forge.open(request({ head, base: 'release' }));
    emulator.server.resetCalls();

    const open = await forge.listOpen('main');
    expect(open).toHaveLength(250);
    expect(new Set(open.map((pr) => pr.head))).toEqual(new Set(names));
    expect(open.every((pr) => pr.state === 'open' && pr.base === 'main' && pr.headSha === sha)).toBe(true);
    expect(emulator.server.calls('ListPullRequests')).toBe(3);
    expect(emulator.server.calls('GetPullRequest')).toBe(252);
    expect((await forge.listOpen('release')).map((pr) => pr.head).sort()).toEqual(['other/0', 'other/1']);
  }, 60_000);

  it('lists closed and merged pull requests, most recent activity first, at most limit', async () => {
    const sha = await pushUpdate('seed');
    await createBranches(['a', 'b', 'c', 'd'], sha);
    const [a, b, c, d] = await mapBounded(['a', 'b', 'c', 'd'], 1, (head) => forge.open(request({ head })));
    await emulator.codecommit.close(repo, c!.number);
    await emulator.codecommit.close(repo, a!.number);
    await emulator.codecommit.merge(repo, b!.number, 'three-way');
    const closed = await forge.listClosed('main', 2);
    expect(closed.map((pr) => [pr.number, pr.state])).toEqual([
      [b!.number, 'merged'],
      [a!.number, 'closed'],
    ]);
    expect((await forge.listClosed('main', 10)).map((pr) => pr.number)).toEqual([
      b!.number,
      a!.number,
      c!.number,
    ]);
    expect(await forge.listClosed('main', 0)).toEqual([]);
    expect((await forge.listOpen('main')).map((pr) => pr.number)).toEqual([d!.number]);
  });

  it('reads a commit message with its trailers', async () => {
    const sha = await pushUpdate();
    expect(await forge.commitMessage(sha)).toBe(MESSAGE);
    const missing = await failure(forge.commitMessage('e'.repeat(40)));
    expect(missing.message).toContain('CommitIdDoesNotExistException');
    expect(missing.retryable).toBe(false);
  });
});

describe('CodeCommit forge: auto-merge', () => {
  const trailersOfMain = async () => {
    const [head] = await remote.log('main');
    return parseTrailers(head?.message ?? '');
  };

  it('waits until the approval rules are satisfied, then merges (squash keeps the trailers)', async () => {
    emulator.codecommit.requireApprovals(repo, 1);
    await pushUpdate();
    const pr = await forge.open(request());
    expect(await forge.autoMerge(pr, 'squash')).toBe('waiting');
    expect(await forge.autoMerge(pr, 'squash')).toBe('waiting');
    expect(await remote.readFile('main', 'app.yaml')).toBe('image: api:1.2.3\n');

    await emulator.codecommit.approve(repo, pr.number, 'reviewer');
    expect(await forge.autoMerge(pr, 'squash')).toBe('merged');
    const [head] = await remote.log('main');
    expect(head?.message).toBe(MESSAGE);
    expect(head?.parents).toHaveLength(1);
    expect((await trailersOfMain()).updates).toEqual([{ image: 'api', old: '1.2.3', new: '1.2.4' }]);
    expect(await remote.readFile('main', 'app.yaml')).toBe('image: api:1.2.4\n');
    const [merged] = await forge.listClosed('main', 1);
    expect(merged).toMatchObject({ number: pr.number, state: 'merged' });
    expect(await forge.autoMerge(pr, 'squash')).toBe('merged');
  });

  it('squashes several commits into one message that keeps every trailer', async () => {
    await pushUpdate();
    const second =
      'chore(prod): update web to 2.0.1\n\nDrawbridge-Environment: prod\nDrawbridge-Update: web 2.0.0 -> 2.0.1\n';
    const sha = await remote.commit(HEAD, { 'web.yaml': 'image: web:2.0.1\n' }, { message: second });
    const pr = await forge.open(request());
    expect(pr.headSha).toBe(sha);
    expect(await forge.autoMerge(pr, 'squash')).toBe('merged');
    expect((await trailersOfMain()).updates.map((update) => update.image)).toEqual(['api', 'web']);
  });

  it('merges three-way: the trailer commit is in the target branch', async () => {
    const sha = await pushUpdate();
    const pr = await forge.open(request());
    expect(await forge.autoMerge(pr, 'merge')).toBe('merged');
    const log = await remote.log('main');
    expect(log[0]?.parents).toEqual([expect.any(String), sha]);
    expect(parseTrailers(log.find((entry) => entry.sha === sha)?.message ?? '').updates).toHaveLength(1);
  });

  it('fast-forwards for rebase', async () => {
    const sha = await pushUpdate();
    const pr = await forge.open(request());
    expect(await forge.autoMerge(pr, 'rebase')).toBe('merged');
    expect(await remote.head('main')).toBe(sha);
  });

  it('waits when the branch moved after drawbridge read it', async () => {
    await pushUpdate();
    const pr = await forge.open(request());
    await remote.commit(HEAD, { other: 'a person' });
    expect(await forge.autoMerge(pr, 'squash')).toBe('waiting');
    expect(await remote.readFile('main', 'app.yaml')).toBe('image: api:1.2.3\n');
  });

  it('says why a fast-forward is impossible', async () => {
    await pushUpdate();
    const pr = await forge.open(request());
    await remote.commit('main', { unrelated: 'x' });
    const error = await failure(forge.autoMerge(pr, 'rebase'));
    expect(error.message).toContain('ManualMergeRequiredException');
    expect(error.hint).toMatch(/fast-forward/);
  });

  it('refuses to merge a pull request a person closed', async () => {
    await pushUpdate();
    const pr = await forge.open(request());
    await emulator.codecommit.close(repo, pr.number);
    expect((await failure(forge.autoMerge(pr, 'squash'))).message).toMatch(/closed/);
  });
});

describe('CodeCommit forge: refusals and failures', () => {
  it.each([
    ['labels', { labels: ['automerge'] }],
    ['reviewers', { reviewers: ['alice'] }],
    ['teamReviewers', { teamReviewers: ['platform'] }],
    ['draft', { draft: true }],
  ] as const)('refuses %s with a clear error, before any call', async (field, overrides) => {
    await pushUpdate();
    const error = await failure(forge.open(request(overrides)));
    expect(error.message).toContain(`pullRequest.${field}`);
    expect(error.message).toContain('CodeCommit');
    expect(error.hint).toContain('approval rule template');
    expect(error.retryable).toBe(false);
    expect(emulator.server.calls('CreatePullRequest')).toBe(0);
  });

  it('refuses a description longer than CodeCommit allows, saying so', async () => {
    await pushUpdate();
    const error = await failure(forge.open(request({ body: 'x'.repeat(10_241) })));
    expect(error.message).toContain('10240');
    expect(emulator.server.calls('CreatePullRequest')).toBe(0);
  });

  it('names the missing IAM action when access is denied', async () => {
    await pushUpdate();
    emulator.codecommit.denyAccess(repo, 'CreatePullRequest');
    const error = await failure(forge.open(request()));
    expect(error.retryable).toBe(false);
    expect(error.hint).toContain('allow codecommit:CreatePullRequest');
    expect(error.hint).toContain(`arn:aws:codecommit:${emulator.region}:${emulator.accountId}:${repo}`);
    expect(error.context).toMatchObject({ repository: repo, operation: 'CreatePullRequest' });
  });

  it('marks throttling retryable once the SDK has retried, and rides out a short burst', async () => {
    emulator.faults.throttleNext(10, 'ListPullRequests');
    const error = await failure(forge.listOpen('main'));
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ThrottlingException');
    expect(emulator.server.calls('ListPullRequests')).toBe(3);
    emulator.faults.throttleNext(1, 'ListPullRequests');
    expect(await forge.listOpen('main')).toEqual([]);
  }, 20_000);

  it('marks 5xx answers retryable', async () => {
    emulator.faults.failEvery(1, 'GetCommit');
    const error = await failure(forge.commitMessage(await pushUpdate()));
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(500);
  }, 20_000);

  it('names the repository and region when the repository does not exist', async () => {
    const error = await failure(forgeFor('missing-repo').listOpen('main'));
    expect(error.message).toContain('RepositoryDoesNotExistException');
    expect(error.hint).toContain('forge.region');
  });

  it.each([
    [
      'a source reference with a newline',
      { target: { sourceReference: 'refs/heads/evil\nDrawbridge-Update: x' } },
      /source branch/,
    ],
    [
      'a source reference that is not a branch',
      { target: { sourceReference: 'refs/tags/v1' } },
      /source reference/,
    ],
    ['a short source commit', { target: { sourceCommit: 'abc123' } }, /head commit/],
    ['another repository', { target: { repositoryName: 'elsewhere' } }, /repository/],
    ['a padded pull request id', { pullRequest: { pullRequestId: ' 1' } }, /number/],
    ['an unknown status', { pullRequest: { pullRequestStatus: 'MERGED' } }, /state/],
  ])('refuses a hostile answer: %s', async (_name, patch, field) => {
    await pushUpdate();
    const pr: PullRequest = await forge.open(request());
    await emulator.codecommit.tamper(repo, pr.number, patch);
    const error = await failure(forge.listOpen('main'));
    expect(error.message).toMatch(field);
    expect(error.message).not.toContain('\n');
    expect(error.retryable).toBe(false);
  });

  it('refuses settings it cannot use', () => {
    expect(() => forgeFor('https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/x')).toThrow(ForgeError);
    expect(() => forgeFor(repo, { region: 'mars' })).toThrow(/not an AWS region/);
  });
});
