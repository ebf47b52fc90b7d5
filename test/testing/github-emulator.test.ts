import { generateKeyPairSync } from 'node:crypto';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGitHubEmulator, type GitHubEmulator } from '../../src/testing/github/index.js';
import { createTestRemote, git, type TestRemote } from '../helpers/git.js';

const TOKEN = 'github_pat_emulator_test_0001';
const REPO = { owner: 'acme', repo: 'fleet' } as const;
const FULL = { pull_requests: 'write', contents: 'write', issues: 'write' } as const;
const TRAILERS = 'Drawbridge-Update: prod/api 1.2.3 -> 1.2.4\nDrawbridge-Environment: prod';

/** Octokit without retries or throttling, quiet about the failures the tests provoke; null: no token. */
function client(emulator: GitHubEmulator, auth: string | null = TOKEN): Octokit {
  return new Octokit({
    baseUrl: emulator.apiUrl,
    ...(auth === null ? {} : { auth }),
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}

interface Refusal {
  readonly status: number;
  readonly data: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

async function failure(promise: Promise<unknown>): Promise<Refusal> {
  try {
    await promise;
  } catch (error) {
    const { status, response } = error as { status: number; response: Omit<Refusal, 'status'> };
    return { status, data: response.data, headers: response.headers };
  }
  throw new Error('expected the call to fail');
}

let remote: TestRemote;
let emulator: GitHubEmulator;
let octokit: Octokit;
let branches = 0;

/** A branch off main with one commit carrying drawbridge's trailers. */
async function branch(name = `drawbridge/update-${++branches}`): Promise<string> {
  await remote.commit(
    name,
    { [`${name}.txt`]: name },
    {
      from: 'main',
      message: `Update api to 1.2.4\n\nBumps prod.\n\n${TRAILERS}\n`,
    },
  );
  return name;
}

async function openPull(head: string, extra: { draft?: boolean; title?: string } = {}) {
  const { data } = await octokit.rest.pulls.create({
    ...REPO,
    head,
    base: 'main',
    title: extra.title ?? `update ${head}`,
    body: 'the body',
    draft: extra.draft ?? false,
  });
  return data;
}

beforeAll(async () => {
  remote = await createTestRemote({ main: { 'README.md': 'fleet\n' } });
  emulator = await startGitHubEmulator();
  emulator.addRepository('acme/fleet', remote.bare);
  emulator.addToken(TOKEN, { permissions: FULL, login: 'drawbridge-bot' });
  octokit = client(emulator);
});
afterAll(async () => {
  await emulator.close();
  await remote.cleanup();
});
afterEach(() => emulator.faults.clear());

describe('GitHub emulator: pull requests', () => {
  it('creates a pull request with GitHub’s shape and refuses a second one for the same head and base', async () => {
    const head = await branch();
    const created = await octokit.rest.pulls.create({
      ...REPO,
      head,
      base: 'main',
      title: 'T',
      body: 'B',
      draft: true,
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      state: 'open',
      draft: true,
      merged: false,
      title: 'T',
      body: 'B',
      head: { ref: head, sha: await remote.head(head), label: `acme:${head}` },
      base: { ref: 'main', sha: await remote.head('main') },
      html_url: `${emulator.webUrl}/acme/fleet/pull/${created.data.number}`,
      user: { login: 'drawbridge-bot' },
      auto_merge: null,
    });
    expect(created.data.node_id).toMatch(/^PR_/);
    expect(created.data.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const again = await failure(octokit.rest.pulls.create({ ...REPO, head, base: 'main', title: 'T' }));
    expect(again.status).toBe(422);
    expect(again.data).toMatchObject({
      message: 'Validation Failed',
      errors: [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for acme:${head}.`,
        },
      ],
    });
    const missing = await failure(
      octokit.rest.pulls.create({ ...REPO, head: 'no-such-branch', base: 'main', title: 'T' }),
    );
    expect(missing.status).toBe(422);
    expect(missing.data).toMatchObject({
      errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }],
    });
  });

  it('lists with filters and pages, with GitHub’s Link header', async () => {
    const heads = [await branch(), await branch(), await branch()];
    for (const head of heads) await openPull(head);
    const first = await octokit.rest.pulls.list({ ...REPO, state: 'open', per_page: 2, page: 1 });
    expect(first.data).toHaveLength(2);
    expect(first.headers.link).toMatch(
      /<[^>]*[?&]page=2[^>]*>; rel="next", <[^>]*[?&]page=\d+[^>]*>; rel="last"/,
    );
    expect(first.headers.link).toContain(emulator.apiUrl);
    const all = await octokit.paginate(octokit.rest.pulls.list, { ...REPO, state: 'open', per_page: 2 });
    const numbers = all.map((pull) => pull.number);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));

    const one = await octokit.rest.pulls.list({ ...REPO, head: `acme:${heads[1]}` });
    expect(one.data.map((pull) => pull.head.ref)).toEqual([heads[1]]);
    expect((await octokit.rest.pulls.list({ ...REPO, head: `someone-else:${heads[1]}` })).data).toEqual([]);
    expect((await octokit.rest.pulls.list({ ...REPO, base: 'release' })).data).toEqual([]);
    const capped = await octokit.rest.pulls.list({ ...REPO, state: 'all', per_page: 500 });
    expect(capped.data.length).toBeLessThanOrEqual(100);
  });

  it('reads head.sha from the branch, and keeps the last one seen when the branch is deleted', async () => {
    const head = await branch();
    const pull = await openPull(head);
    const moved = await remote.commit(head, { 'more.txt': 'more' }, { message: 'more' });
    expect((await octokit.rest.pulls.get({ ...REPO, pull_number: pull.number })).data.head.sha).toBe(moved);
    await emulator.close('acme/fleet', pull.number);
    await git(remote.bare, ['update-ref', '-d', `refs/heads/${head}`]);
    const after = await octokit.rest.pulls.get({ ...REPO, pull_number: pull.number });
    expect(after.data).toMatchObject({ state: 'closed', merged: false, head: { ref: head, sha: moved } });
  });

  it('updates title, body and state, and refuses to reopen over another open pull request', async () => {
    const head = await branch();
    const pull = await openPull(head);
    const edited = await octokit.rest.pulls.update({
      ...REPO,
      pull_number: pull.number,
      title: 'new',
      body: 'text',
    });
    expect(edited.data).toMatchObject({ title: 'new', body: 'text', state: 'open' });
    await octokit.rest.pulls.update({ ...REPO, pull_number: pull.number, state: 'closed' });
    const second = await openPull(head);
    const reopen = await failure(
      octokit.rest.pulls.update({ ...REPO, pull_number: pull.number, state: 'open' }),
    );
    expect(reopen.status).toBe(422);
    expect(second.number).toBeGreaterThan(pull.number);
    emulator.edit('acme/fleet', second.number, { title: 'by a person' });
    expect(emulator.pullRequests('acme/fleet').find((p) => p.number === second.number)?.title).toBe(
      'by a person',
    );
  });

  it('adds labels, reviewers, teams and comments', async () => {
    const pull = await openPull(await branch());
    const labels = await octokit.rest.issues.addLabels({
      ...REPO,
      issue_number: pull.number,
      labels: ['deps', 'prod'],
    });
    expect(labels.data.map((label) => label.name)).toEqual(['deps', 'prod']);
    const reviewed = await octokit.rest.pulls.requestReviewers({
      ...REPO,
      pull_number: pull.number,
      reviewers: ['alice'],
      team_reviewers: ['platform'],
    });
    expect(reviewed.status).toBe(201);
    expect(reviewed.data.requested_reviewers?.map((user) => user.login)).toEqual(['alice']);
    expect(reviewed.data.requested_teams?.map((team) => team.slug)).toEqual(['platform']);
    const comment = await octokit.rest.issues.createComment({
      ...REPO,
      issue_number: pull.number,
      body: 'superseded',
    });
    expect(comment.status).toBe(201);
    expect(emulator.comments('acme/fleet', pull.number).map((c) => c.body)).toEqual(['superseded']);
    const listed = (await octokit.rest.pulls.list({ ...REPO, head: `acme:${pull.head.ref}` })).data[0]!;
    expect(listed.labels.map((label) => label.name)).toEqual(['deps', 'prod']);
  });

  it('merges for real: a merge commit and a squash both keep the head commit’s trailers', async () => {
    const merging = await openPull(await branch(), { title: 'Update api' });
    const merged = await octokit.rest.pulls.merge({
      ...REPO,
      pull_number: merging.number,
      merge_method: 'merge',
    });
    expect(merged.data).toMatchObject({ merged: true, message: 'Pull Request successfully merged' });
    const [mergeCommit] = await remote.log('main');
    expect(mergeCommit!.sha).toBe(merged.data.sha);
    expect(mergeCommit!.parents).toHaveLength(2);
    expect(mergeCommit!.message).toBe(
      `Merge pull request #${merging.number} from acme/${merging.head.ref}\n\nUpdate api\n`,
    );
    const log = await remote.log('main');
    expect(log.some((entry) => entry.message.includes(TRAILERS))).toBe(true);

    const squashing = await openPull(await branch());
    const squashed = await octokit.rest.pulls.merge({
      ...REPO,
      pull_number: squashing.number,
      merge_method: 'squash',
    });
    const [squash] = await remote.log('main');
    expect(squash!.sha).toBe(squashed.data.sha);
    expect(squash!.parents).toHaveLength(1);
    expect(squash!.message).toBe(
      `Update api to 1.2.4 (#${squashing.number})\n\nBumps prod.\n\n${TRAILERS}\n`,
    );
    const after = await octokit.rest.pulls.get({ ...REPO, pull_number: squashing.number });
    expect(after.data).toMatchObject({ state: 'closed', merged: true, merge_commit_sha: squashed.data.sha });
    expect(after.data.merged_at).not.toBeNull();

    const again = await failure(octokit.rest.pulls.merge({ ...REPO, pull_number: squashing.number }));
    expect(again.status).toBe(405);
    const moved = await openPull(await branch());
    const stale = await failure(
      octokit.rest.pulls.merge({ ...REPO, pull_number: moved.number, sha: 'f'.repeat(40) }),
    );
    expect(stale.status).toBe(409);
  });

  it('answers a commit with its message, and 422 for one it does not have', async () => {
    const sha = (await remote.head('main'))!;
    const { data } = await octokit.rest.repos.getCommit({ ...REPO, ref: sha });
    expect(data.sha).toBe(sha);
    expect(data.commit.message).toBe((await remote.log('main'))[0]!.message.replace(/\n+$/, ''));
    const missing = await failure(octokit.rest.repos.getCommit({ ...REPO, ref: '0'.repeat(40) }));
    expect(missing.status).toBe(422);
  });
});

describe('GitHub emulator: GraphQL auto-merge', () => {
  const MUTATION = `mutation($id: ID!, $mergeMethod: PullRequestMergeMethod!) {
    enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod: $mergeMethod}) {
      clientMutationId
      pr: pullRequest { number state autoMergeRequest { mergeMethod enabledBy { login } } }
    }
  }`;

  it('enables auto-merge (variables or inline), shows it in REST, and merges it when asked', async () => {
    const pull = await openPull(await branch());
    const answer = await octokit.graphql<{ enablePullRequestAutoMerge: unknown }>(MUTATION, {
      id: pull.node_id,
      mergeMethod: 'SQUASH',
    });
    expect(answer.enablePullRequestAutoMerge).toEqual({
      clientMutationId: null,
      pr: {
        number: pull.number,
        state: 'OPEN',
        autoMergeRequest: { mergeMethod: 'SQUASH', enabledBy: { login: 'drawbridge-bot' } },
      },
    });
    const inline = await octokit.graphql<{ enablePullRequestAutoMerge: { pullRequest: { id: string } } }>(
      `mutation { enablePullRequestAutoMerge(input: {pullRequestId: "${pull.node_id}", mergeMethod: SQUASH}) { pullRequest { id } } }`,
    );
    expect(inline.enablePullRequestAutoMerge.pullRequest.id).toBe(pull.node_id);
    const rest = await octokit.rest.pulls.get({ ...REPO, pull_number: pull.number });
    expect(rest.data.auto_merge).toMatchObject({ merge_method: 'squash' });

    const merged = await emulator.runAutoMerge();
    expect(merged.map((entry) => entry.number)).toContain(pull.number);
    expect((await remote.log('main'))[0]!.message).toContain(TRAILERS);
  });

  it('answers GraphQL errors as GitHub does', async () => {
    const api = `${emulator.apiUrl}/graphql`;
    const post = async (body: unknown, auth = `bearer ${TOKEN}`) => {
      const response = await fetch(api, {
        method: 'POST',
        headers: { authorization: auth },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    const unknown = await post({ query: '{ viewer { login } }' });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatchObject({
      errors: [
        { message: "Field 'viewer' doesn't exist on type 'Query'", extensions: { code: 'undefinedField' } },
      ],
    });
    expect(unknown.body).not.toHaveProperty('data');
    const broken = await post({ query: 'mutation { enablePullRequestAutoMerge(' });
    expect(broken.body).toMatchObject({ errors: [{ message: expect.stringMatching(/^Parse error on/) }] });
    const missing = await post({ query: MUTATION, variables: { id: 'PR_nope', mergeMethod: 'MERGE' } });
    expect(missing.body).toMatchObject({
      data: { enablePullRequestAutoMerge: null },
      errors: [{ type: 'NOT_FOUND', path: ['enablePullRequestAutoMerge'] }],
    });
    const badEnum = await post({ query: MUTATION, variables: { id: 'PR_x', mergeMethod: 'FAST' } });
    expect(badEnum.body).toMatchObject({
      errors: [{ message: expect.stringContaining("Expected type 'PullRequestMergeMethod'") }],
    });
    expect((await post({ query: MUTATION }, 'token wrong-token')).status).toBe(401);
  });

  it('refuses auto-merge where GitHub would: not allowed, or the pull request is mergeable now', async () => {
    const other = await createTestRemote({ main: { 'a.txt': 'a' } });
    try {
      emulator.addRepository('acme/strict', other.bare, { allowAutoMerge: false });
      emulator.addRepository('acme/clean', other.bare, { requiredChecks: false });
      await other.commit('feature', { 'b.txt': 'b' }, { from: 'main' });
      for (const [repo, message] of [
        ['strict', 'Pull request Auto merge is not allowed for this repository'],
        ['clean', 'Pull request Pull request is in clean status'],
      ] as const) {
        const pull = await octokit.rest.pulls.create({
          owner: 'acme',
          repo,
          head: 'feature',
          base: 'main',
          title: 't',
        });
        const error = await octokit
          .graphql(MUTATION, { id: pull.data.node_id, mergeMethod: 'MERGE' })
          .catch((e: unknown) => e);
        expect(error).toMatchObject({
          errors: [expect.objectContaining({ type: 'UNPROCESSABLE', message })],
        });
      }
    } finally {
      await other.cleanup();
    }
  });
});

describe('GitHub emulator: authentication and permissions', () => {
  it('answers 401 without credentials or with unknown ones', async () => {
    const none = await failure(client(emulator, null).rest.pulls.list(REPO));
    expect(none.status).toBe(401);
    const unknown = await failure(client(emulator, 'ghp_not_a_known_token').rest.pulls.list(REPO));
    expect(unknown).toMatchObject({ status: 401, data: { message: 'Bad credentials' } });
  });

  it('answers 403 with x-accepted-github-permissions when a permission is missing, 404 for a repository out of reach', async () => {
    emulator.addToken('read-only-token', { permissions: { pull_requests: 'read' } });
    const readOnly = client(emulator, 'read-only-token');
    expect((await readOnly.rest.pulls.list(REPO)).status).toBe(200);
    const create = await failure(
      readOnly.rest.pulls.create({ ...REPO, head: 'x', base: 'main', title: 't' }),
    );
    expect(create.status).toBe(403);
    expect(create.data).toMatchObject({ message: 'Resource not accessible by personal access token' });
    expect(create.headers['x-accepted-github-permissions']).toBe('pull_requests=write');
    const label = await failure(readOnly.rest.issues.addLabels({ ...REPO, issue_number: 1, labels: ['x'] }));
    expect(label.headers['x-accepted-github-permissions']).toBe('issues=write; pull_requests=write');

    emulator.addToken('elsewhere-token', { permissions: FULL, repositories: ['acme/other'] });
    const hidden = await failure(client(emulator, 'elsewhere-token').rest.pulls.list(REPO));
    expect(hidden).toMatchObject({ status: 404, data: { message: 'Not Found' } });
  });

  it('gives a GitHub App installation tokens for a valid JWT, which expire after the TTL', async () => {
    let offsetMs = 0;
    const clock = () => new Date(Date.now() + offsetMs);
    const appRemote = await createTestRemote({ main: { 'a.txt': 'a' } });
    const appEmulator = await startGitHubEmulator({ now: clock, tokenTtlMs: 120_000 });
    try {
      appEmulator.addRepository('acme/fleet', appRemote.bare);
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      appEmulator.addApp({
        appId: 42,
        installationId: 7,
        publicKeyPem,
        permissions: { pull_requests: 'read' },
      });
      const request = client(appEmulator, null).request;
      const auth = createAppAuth({ appId: 42, privateKey: privateKeyPem, installationId: 7, request });
      const { token, expiresAt } = await auth({ type: 'installation', refresh: true });
      expect(token).toMatch(/^ghs_/);
      expect(Date.parse(expiresAt) - clock().getTime()).toBeLessThanOrEqual(120_000);
      expect((await client(appEmulator, token).rest.pulls.list(REPO)).status).toBe(200);
      const forbidden = await failure(
        client(appEmulator, token).rest.pulls.create({ ...REPO, head: 'x', base: 'main', title: 't' }),
      );
      expect(forbidden.data).toMatchObject({ message: 'Resource not accessible by integration' });

      offsetMs = 121_000;
      const expired = await failure(client(appEmulator, token).rest.pulls.list(REPO));
      expect(expired).toMatchObject({ status: 401, data: { message: 'Bad credentials' } });
      expect(appEmulator.issuedTokens()).toHaveLength(1);

      const wrongInstallation = createAppAuth({
        appId: 42,
        privateKey: privateKeyPem,
        installationId: 8,
        request,
      });
      expect((await failure(wrongInstallation({ type: 'installation' }))).status).toBe(404);
      const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      const forged = createAppAuth({
        appId: 42,
        privateKey: otherKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        installationId: 7,
        request,
      });
      const refused = await failure(forged({ type: 'installation' }));
      expect(refused).toMatchObject({
        status: 401,
        data: { message: 'A JSON web token could not be decoded' },
      });
    } finally {
      await appEmulator.close();
      await appRemote.cleanup();
    }
  });
});

describe('GitHub emulator: faults, call counts, Enterprise paths', () => {
  it('injects secondary and primary rate limits and server errors with GitHub’s headers, and counts calls', async () => {
    emulator.resetCalls();
    emulator.faults.secondaryRateLimit({ route: 'pulls.list', retryAfterSeconds: 30 });
    const secondary = await failure(octokit.rest.pulls.list(REPO));
    expect(secondary.status).toBe(403);
    expect(secondary.headers['retry-after']).toBe('30');
    expect(secondary.data).toMatchObject({
      message: expect.stringMatching(/^You have exceeded a secondary rate limit/),
    });

    emulator.faults.primaryRateLimit({ status: 429, resetInSeconds: 120 });
    const primary = await failure(octokit.rest.pulls.list(REPO));
    expect(primary.status).toBe(429);
    expect(primary.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(primary.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000 + 100);

    emulator.faults.serverErrors({ count: 2, status: 503 });
    expect((await failure(octokit.rest.pulls.list(REPO))).status).toBe(503);
    expect((await failure(octokit.rest.pulls.get({ ...REPO, pull_number: 1 }))).status).toBe(503);
    expect((await octokit.rest.pulls.list(REPO)).status).toBe(200);
    expect(emulator.calls('pulls.list')).toBe(4);
    expect(emulator.calls('pulls.get')).toBe(1);
    expect(emulator.calls()).toBe(5);
  });

  it('serves GitHub Enterprise Server paths: REST under /api/v3, GraphQL at /api/graphql', async () => {
    const enterprise = await startGitHubEmulator({ enterprise: true });
    try {
      enterprise.addRepository('acme/fleet', remote.bare);
      enterprise.addToken(TOKEN, { permissions: FULL });
      expect(enterprise.apiUrl).toMatch(/\/api\/v3$/);
      const ghes = client(enterprise);
      expect((await ghes.rest.pulls.list(REPO)).status).toBe(200);
      const error = await ghes.graphql('{ viewer { login } }').catch((e: unknown) => e);
      expect(error).toMatchObject({
        errors: [{ message: expect.stringContaining("doesn't exist on type 'Query'") }],
      });
      expect(enterprise.calls('graphql')).toBe(1);
    } finally {
      await enterprise.close();
    }
  });

  it('close(repository, number) closes a pull request; close() with one argument is refused', async () => {
    const pull = await openPull(await branch());
    await emulator.close('acme/fleet', pull.number);
    expect(emulator.pullRequests('acme/fleet').find((p) => p.number === pull.number)?.state).toBe('closed');
    await expect((emulator.close as (repository: string) => Promise<void>)('acme/fleet')).rejects.toThrow(
      TypeError,
    );
  });
});
