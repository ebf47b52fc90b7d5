/**
 * The GitLab emulator against real, unmodified @gitbeaker/rest (its default requester, its
 * URL building from `host`, its pagination) and plain fetch for raw headers.
 */
import { Gitlab, GitbeakerRequestError } from '@gitbeaker/rest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGitLabEmulator, type GitLabEmulator } from '../../src/testing/gitlab/index.js';
import { createTestRemote, type TestRemote } from '../helpers/git.js';

const TOKEN = 'glpat-emulator-test-token';
const READ_TOKEN = 'glpat-read-only-token';
const TRAILERS = 'Drawbridge-Update: api=1.2.3\nDrawbridge-Environment: prod';

let emulator: GitLabEmulator;
let remote: TestRemote;
let gitlab: InstanceType<typeof Gitlab>;
let project: { id: number; path: string };
let branches = 0;

beforeAll(async () => {
  emulator = await startGitLabEmulator();
  remote = await createTestRemote({ main: { 'README.md': 'fleet\n' } });
  project = emulator.addProject('acme/fleet', remote.bare);
  emulator.addToken(TOKEN);
  emulator.addToken(READ_TOKEN, { username: 'reader', scopes: ['read_api'] });
  gitlab = new Gitlab({ host: emulator.url, token: TOKEN });
});
afterAll(async () => {
  await emulator.close();
  await remote.cleanup();
});
beforeEach(() => {
  emulator.faults.clear();
  emulator.resetCalls();
});

/** A branch off main with one commit; its name and sha. */
async function branch(message = `update ${branches}`): Promise<{ name: string; sha: string }> {
  const name = `drawbridge/update-${++branches}`;
  const sha = await remote.commit(
    name,
    { [`file-${branches}.txt`]: `${branches}\n` },
    { from: 'main', message },
  );
  return { name, sha };
}

async function raw(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${emulator.apiUrl}${path}`, {
    ...init,
    headers: { 'private-token': TOKEN, 'content-type': 'application/json', ...init.headers },
  });
}

function statusOf(error: unknown): number | undefined {
  if (!(error instanceof GitbeakerRequestError)) return undefined;
  return (error.cause as { response?: Response } | undefined)?.response?.status;
}

describe('GitLab emulator: addressing and authentication', () => {
  it('answers under /api/v4 for a project addressed by path or by numeric id', async () => {
    expect(emulator.apiUrl).toBe(`${emulator.url}/api/v4`);
    const { name } = await branch();
    const created = await gitlab.MergeRequests.create('acme/fleet', name, 'main', 'Update api');
    const byId = await gitlab.MergeRequests.show(project.id, created.iid);
    expect(byId).toMatchObject({ iid: created.iid, project_id: project.id, source_branch: name });
    expect(emulator.calls('POST /projects/:id/merge_requests')).toBe(1);
    expect(emulator.calls('GET /projects/:id/merge_requests/:iid')).toBe(1);
  });

  it('answers 404 Project Not Found for an unknown project', async () => {
    const error = await gitlab.MergeRequests.all({ projectId: 'acme/unknown' }).catch((e: unknown) => e);
    expect(statusOf(error)).toBe(404);
    expect((error as Error).message).toBe('404 Project Not Found');
  });

  it('answers 401 for an unknown token and accepts Authorization: Bearer', async () => {
    const stranger = new Gitlab({ host: emulator.url, token: 'glpat-nobody' });
    const error = await stranger.MergeRequests.all({ projectId: 'acme/fleet' }).catch((e: unknown) => e);
    expect(statusOf(error)).toBe(401);
    expect((error as Error).message).toBe('401 Unauthorized');
    const bearer = new Gitlab({ host: emulator.url, oauthToken: TOKEN });
    await expect(bearer.MergeRequests.all({ projectId: 'acme/fleet' })).resolves.toBeInstanceOf(Array);
  });

  it('lets a read_api token read and answers insufficient_scope to its writes', async () => {
    const reader = new Gitlab({ host: emulator.url, token: READ_TOKEN });
    await expect(reader.MergeRequests.all({ projectId: 'acme/fleet' })).resolves.toBeInstanceOf(Array);
    const { name } = await branch();
    const error = await reader.MergeRequests.create('acme/fleet', name, 'main', 'x').catch((e: unknown) => e);
    expect(statusOf(error)).toBe(403);
    expect((error as Error).message).toBe('insufficient_scope');
    const answer = await raw('/projects/acme%2Ffleet/merge_requests', {
      method: 'POST',
      headers: { 'private-token': READ_TOKEN },
      body: JSON.stringify({ source_branch: name, target_branch: 'main', title: 'x' }),
    });
    expect(answer.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(await answer.json()).toMatchObject({ error: 'insufficient_scope', scope: 'api' });
  });

  it('answers 403 Forbidden to writes of a member below Developer', async () => {
    emulator.addToken('glpat-reporter', { username: 'reporter', role: 'reporter' });
    const { name } = await branch();
    const answer = await raw('/projects/acme%2Ffleet/merge_requests', {
      method: 'POST',
      headers: { 'private-token': 'glpat-reporter' },
      body: JSON.stringify({ source_branch: name, target_branch: 'main', title: 'x' }),
    });
    expect(answer.status).toBe(403);
    expect(await answer.json()).toEqual({ message: '403 Forbidden' });
  });
});

describe('GitLab emulator: merge requests', () => {
  it('creates with GitLab shapes: labels, reviewers as users, sha of the source branch', async () => {
    const reviewer = emulator.addUser('alice');
    const { name, sha } = await branch();
    const mr = await gitlab.MergeRequests.create('acme/fleet', name, 'main', 'Update api to 1.2.3', {
      description: 'body',
      labels: 'drawbridge,prod',
      reviewerIds: [reviewer],
    });
    expect(mr).toMatchObject({
      state: 'opened',
      source_branch: name,
      target_branch: 'main',
      sha,
      title: 'Update api to 1.2.3',
      description: 'body',
      draft: false,
      labels: ['drawbridge', 'prod'],
      merge_when_pipeline_succeeds: false,
      web_url: `${emulator.url}/acme/fleet/-/merge_requests/${mr.iid}`,
      author: { username: 'drawbridge-bot' },
    });
    expect(mr.reviewers).toEqual([expect.objectContaining({ id: reviewer, username: 'alice' })]);
    expect(typeof mr.id).toBe('number');
    expect(Date.parse(mr.updated_at as string)).not.toBeNaN();
  });

  it('marks a draft by its title prefix only, as the REST API has no draft parameter', async () => {
    const a = await branch();
    const b = await branch();
    const prefixed = await gitlab.MergeRequests.create('acme/fleet', a.name, 'main', 'Draft: Update api');
    const field = await raw('/projects/acme%2Ffleet/merge_requests', {
      method: 'POST',
      body: JSON.stringify({
        source_branch: b.name,
        target_branch: 'main',
        title: 'Update web',
        draft: true,
      }),
    });
    expect(prefixed.draft).toBe(true);
    expect(((await field.json()) as { draft: boolean }).draft).toBe(false);
  });

  it('answers 409 for a second open merge request from the same source into the same target', async () => {
    const { name } = await branch();
    const first = await gitlab.MergeRequests.create('acme/fleet', name, 'main', 'one');
    const answer = await raw('/projects/acme%2Ffleet/merge_requests', {
      method: 'POST',
      body: JSON.stringify({ source_branch: name, target_branch: 'main', title: 'two' }),
    });
    expect(answer.status).toBe(409);
    expect(await answer.json()).toEqual({
      message: [`Another open merge request already exists for this source branch: !${first.iid}`],
    });
  });

  it('refuses a source branch that does not exist and missing parameters', async () => {
    const missing = await raw('/projects/acme%2Ffleet/merge_requests', {
      method: 'POST',
      body: JSON.stringify({ source_branch: 'nope', target_branch: 'main', title: 'x' }),
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ message: { source_branch: ['does not exist'] } });
    const incomplete = await raw('/projects/acme%2Ffleet/merge_requests', { method: 'POST', body: '{}' });
    expect(await incomplete.json()).toEqual({
      error: 'source_branch is missing, target_branch is missing, title is missing',
    });
  });

  it('updates title and description, closes and reopens with state_event', async () => {
    const { name } = await branch();
    const mr = await gitlab.MergeRequests.create('acme/fleet', name, 'main', 'old');
    const edited = await gitlab.MergeRequests.edit('acme/fleet', mr.iid, {
      title: 'new',
      description: 'text',
    });
    expect(edited).toMatchObject({ title: 'new', description: 'text', state: 'opened' });
    const closed = await gitlab.MergeRequests.edit('acme/fleet', mr.iid, { stateEvent: 'close' });
    expect(closed.state).toBe('closed');
    expect(closed.closed_at).not.toBeNull();
    const reopened = await gitlab.MergeRequests.edit('acme/fleet', mr.iid, { stateEvent: 'reopen' });
    expect(reopened.state).toBe('opened');
    const empty = await raw(`/projects/acme%2Ffleet/merge_requests/${mr.iid}`, { method: 'PUT', body: '{}' });
    expect(empty.status).toBe(400);
  });

  it('adds notes and lists them newest first', async () => {
    const { name } = await branch();
    const mr = await gitlab.MergeRequests.create('acme/fleet', name, 'main', 'noted');
    const note = await gitlab.MergeRequestNotes.create('acme/fleet', mr.iid, 'superseded by !9');
    expect(note).toMatchObject({ body: 'superseded by !9', noteable_iid: mr.iid, system: false });
    await gitlab.MergeRequestNotes.create('acme/fleet', mr.iid, 'second');
    const notes = await gitlab.MergeRequestNotes.all('acme/fleet', mr.iid);
    expect(notes.map((n) => n.body)).toEqual(['second', 'superseded by !9']);
    expect(emulator.notes('acme/fleet', mr.iid).map((n) => n.body)).toEqual(['superseded by !9', 'second']);
  });

  it('looks users up by username and commits by id', async () => {
    const id = emulator.addUser('Bob');
    expect(await gitlab.Users.all({ username: 'bob' })).toEqual([
      expect.objectContaining({ id, username: 'Bob' }),
    ]);
    expect(await gitlab.Users.all({ username: 'nobody' })).toEqual([]);
    const { sha } = await branch(`Update api\n\n${TRAILERS}\n`);
    const commit = await gitlab.Commits.show('acme/fleet', sha);
    expect(commit).toMatchObject({ id: sha, message: `Update api\n\n${TRAILERS}\n`, title: 'Update api' });
    const error = await gitlab.Commits.show('acme/fleet', 'f'.repeat(40)).catch((e: unknown) => e);
    expect((error as Error).message).toBe('404 Commit Not Found');
  });

  it('answers fields a test tampered with', async () => {
    const { name } = await branch();
    const mr = await gitlab.MergeRequests.create('acme/fleet', name, 'main', 'fine');
    emulator.tamper('acme/fleet', mr.iid, { web_url: 'javascript:alert(1)' });
    expect((await gitlab.MergeRequests.show('acme/fleet', mr.iid)).web_url).toBe('javascript:alert(1)');
  });
});

describe('GitLab emulator: listing and pagination', () => {
  let listed: GitLabEmulator;
  let listRemote: TestRemote;
  let client: InstanceType<typeof Gitlab>;

  beforeAll(async () => {
    listed = await startGitLabEmulator();
    listRemote = await createTestRemote({ main: { 'README.md': 'list\n' } });
    listed.addProject('acme/list', listRemote.bare);
    listed.addToken(TOKEN);
    client = new Gitlab({ host: listed.url, token: TOKEN });
    for (let i = 0; i < 45; i += 1) {
      await listRemote.commit(`b-${i}`, { [`f${i}`]: `${i}\n` }, { from: 'main' });
      await client.MergeRequests.create('acme/list', `b-${i}`, 'main', `mr ${i}`);
    }
  });
  afterAll(async () => {
    await listed.close();
    await listRemote.cleanup();
  });

  it('follows Link rel="next" through every page when gitbeaker is given no page', async () => {
    listed.resetCalls();
    const all = await client.MergeRequests.all({ projectId: 'acme/list', perPage: 20 });
    expect(all).toHaveLength(45);
    expect(listed.calls('GET /projects/:id/merge_requests')).toBe(3);
  });

  it('answers x-next-page, x-total and x-total-pages for one page, and caps per_page at 100', async () => {
    const page = await client.MergeRequests.all({
      projectId: 'acme/list',
      perPage: 20,
      page: 2,
      showExpanded: true,
    });
    expect(page.data).toHaveLength(20);
    expect(page.paginationInfo).toMatchObject({ total: 45, next: 3, current: 2, previous: 1, totalPages: 3 });
    const capped = await fetch(`${listed.apiUrl}/projects/acme%2Flist/merge_requests?per_page=500`, {
      headers: { 'private-token': TOKEN },
    });
    expect(capped.headers.get('x-per-page')).toBe('100');
    expect(capped.headers.get('x-next-page')).toBe('');
    expect(capped.headers.get('link')).toContain('rel="first"');
  });

  it('filters by state, source and target branch, and orders by updated_at', async () => {
    const [first] = await client.MergeRequests.all({ projectId: 'acme/list', sourceBranch: 'b-3' });
    await client.MergeRequests.edit('acme/list', first!.iid, { stateEvent: 'close' });
    const closed = await client.MergeRequests.all({
      projectId: 'acme/list',
      state: 'closed',
      targetBranch: 'main',
    });
    expect(closed.map((m) => m.source_branch)).toEqual(['b-3']);
    await client.MergeRequests.edit('acme/list', 1, { description: 'touched' });
    const [newest] = await client.MergeRequests.all({
      projectId: 'acme/list',
      state: 'opened',
      orderBy: 'updated_at',
      sort: 'desc',
      perPage: 1,
      page: 1,
    });
    expect(newest!.iid).toBe(1);
    expect(await client.MergeRequests.all({ projectId: 'acme/list', targetBranch: 'other' })).toEqual([]);
  });
});

describe('GitLab emulator: merging', () => {
  it('merges with GitLab default merge commit message, keeping the head commit in the target', async () => {
    const { name, sha } = await branch(`Update api\n\n${TRAILERS}\n`);
    const mr = await gitlab.MergeRequests.create('acme/fleet', name, 'main', 'Update api to 1.2.3');
    const merged = await gitlab.MergeRequests.merge('acme/fleet', mr.iid);
    expect(merged).toMatchObject({ state: 'merged', sha });
    const [top] = await remote.log('main');
    expect(top!.sha).toBe(merged.merge_commit_sha);
    expect(top!.parents).toHaveLength(2);
    expect(top!.message).toBe(
      `Merge branch '${name}' into 'main'\n\nUpdate api to 1.2.3\n\nSee merge request acme/fleet!${mr.iid}\n`,
    );
    const history = await remote.log('main');
    expect(history.find((c) => c.sha === sha)?.message).toContain(TRAILERS);
  });

  it('squashes with the squash_commit_message given, else with the title (GitLab default template)', async () => {
    const kept = await branch(`Update api\n\n${TRAILERS}\n`);
    const a = await gitlab.MergeRequests.create('acme/fleet', kept.name, 'main', 'Update api');
    const squashed = await gitlab.MergeRequests.merge('acme/fleet', a.iid, {
      squash: true,
      squashCommitMessage: `Update api\n\n${TRAILERS}\n`,
    });
    const [top] = await remote.log('main');
    expect(top!.sha).toBe(squashed.squash_commit_sha);
    expect(top!.parents).toHaveLength(1);
    expect(top!.message).toBe(`Update api\n\n${TRAILERS}\n`);

    const lost = await branch(`Update web\n\n${TRAILERS}\n`);
    const b = await gitlab.MergeRequests.create('acme/fleet', lost.name, 'main', 'Update web');
    await gitlab.MergeRequests.merge('acme/fleet', b.iid, { squash: true });
    expect((await remote.log('main'))[0]!.message).toBe('Update web\n');
  });

  it("squashes with the project's template, %{first_multiline_commit} keeping the commit's trailers", async () => {
    const other = await createTestRemote({ main: { 'README.md': 'x\n' } });
    emulator.addProject('acme/templated', other.bare, { squashCommitTemplate: '%{first_multiline_commit}' });
    await other.commit('feature', { a: '1\n' }, { from: 'main', message: `Update api\n\n${TRAILERS}\n` });
    const mr = await gitlab.MergeRequests.create('acme/templated', 'feature', 'main', 'Update api');
    await emulator.merge('acme/templated', mr.iid, { squash: true });
    expect((await other.log('main'))[0]!.message).toBe(`Update api\n\n${TRAILERS}\n`);
    await other.cleanup();
  });

  it('refuses to merge a closed merge request (405) and a stale sha (409)', async () => {
    const a = await branch();
    const mr = await gitlab.MergeRequests.create('acme/fleet', a.name, 'main', 'stale');
    const stale = await raw(`/projects/acme%2Ffleet/merge_requests/${mr.iid}/merge`, {
      method: 'PUT',
      body: JSON.stringify({ sha: 'a'.repeat(40) }),
    });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { message: string }).message).toBe(
      `SHA does not match HEAD of source branch: ${a.sha}`,
    );
    await emulator.close('acme/fleet', mr.iid);
    const closed = await raw(`/projects/acme%2Ffleet/merge_requests/${mr.iid}/merge`, {
      method: 'PUT',
      body: '{}',
    });
    expect(closed.status).toBe(405);
    expect(await closed.json()).toEqual({ message: '405 Method Not Allowed' });
  });

  it('marks auto-merge and merges on runPipelines; a draft waits', async () => {
    const a = await branch(`Update api\n\n${TRAILERS}\n`);
    const b = await branch();
    const ready = await gitlab.MergeRequests.create('acme/fleet', a.name, 'main', 'ready');
    const draft = await gitlab.MergeRequests.create('acme/fleet', b.name, 'main', 'Draft: later');
    const marked = await gitlab.MergeRequests.merge('acme/fleet', ready.iid, {
      mergeWhenPipelineSucceeds: true,
      squash: true,
      squashCommitMessage: `Update api\n\n${TRAILERS}\n`,
    });
    await gitlab.MergeRequests.merge('acme/fleet', draft.iid, { autoMerge: true });
    expect(marked).toMatchObject({ state: 'opened', merge_when_pipeline_succeeds: true });
    const again = await gitlab.MergeRequests.merge('acme/fleet', ready.iid, { autoMerge: true });
    expect(again.merge_when_pipeline_succeeds).toBe(true);

    expect(await emulator.runPipelines()).toBe(1);
    const views = emulator.mergeRequests('acme/fleet');
    expect(views.find((v) => v.iid === ready.iid)).toMatchObject({ state: 'merged', autoMerge: true });
    expect(views.find((v) => v.iid === draft.iid)).toMatchObject({
      state: 'opened',
      draft: true,
      autoMerge: true,
    });
    expect((await remote.log('main'))[0]!.message).toBe(`Update api\n\n${TRAILERS}\n`);
    const merged = await gitlab.MergeRequests.show('acme/fleet', ready.iid);
    expect(merged.merged_by).toMatchObject({ username: 'drawbridge-bot' });
  });

  it('lets a person edit, merge and close', async () => {
    const a = await branch();
    const mr = await gitlab.MergeRequests.create('acme/fleet', a.name, 'main', 'by hand');
    emulator.edit('acme/fleet', mr.iid, { title: 'edited by a person', description: 'why' });
    expect(await gitlab.MergeRequests.show('acme/fleet', mr.iid)).toMatchObject({
      title: 'edited by a person',
      description: 'why',
    });
    const head = await emulator.merge('acme/fleet', mr.iid, { message: 'Merged by hand' });
    expect(await remote.head('main')).toBe(head);
    expect((await gitlab.MergeRequests.show('acme/fleet', mr.iid)).merged_by).toMatchObject({
      username: 'maintainer',
    });
  });
});

describe('GitLab emulator: faults', () => {
  it('answers 429 like Rack::Attack: Retry later, Retry-After and RateLimit-* headers', async () => {
    emulator.faults.rateLimit(1, { retryAfterSeconds: 30 });
    const answer = await raw('/projects/acme%2Ffleet/merge_requests');
    expect(answer.status).toBe(429);
    expect(await answer.text()).toBe('Retry later\n');
    expect(answer.headers.get('retry-after')).toBe('30');
    expect(answer.headers.get('ratelimit-remaining')).toBe('0');
    expect(answer.headers.get('ratelimit-name')).toBe('throttle_authenticated_api');
    expect(Number(answer.headers.get('ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect((await raw('/projects/acme%2Ffleet/merge_requests')).status).toBe(200);
  });

  it('limits one route only when asked, and counts every call', async () => {
    emulator.faults.rateLimit(1, { route: 'POST /projects/:id/merge_requests/:iid/notes' });
    expect((await raw('/projects/acme%2Ffleet/merge_requests')).status).toBe(200);
    expect(emulator.calls('GET /projects/:id/merge_requests')).toBe(1);
    expect(emulator.calls()).toBe(1);
  });

  it('answers N server errors, which gitbeaker retries itself only for 502', async () => {
    emulator.faults.fail(1, { status: 500 });
    const error = await gitlab.MergeRequests.all({ projectId: 'acme/fleet' }).catch((e: unknown) => e);
    expect(statusOf(error)).toBe(500);
    emulator.faults.fail(2, { status: 502 });
    await expect(gitlab.MergeRequests.all({ projectId: 'acme/fleet', perPage: 100 })).resolves.toBeInstanceOf(
      Array,
    );
    expect(emulator.calls('GET /projects/:id/merge_requests')).toBe(4);
  });
});
