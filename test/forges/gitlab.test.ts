/**
 * The GitLab forge against the GitLab emulator over a real bare remote: what it asks GitLab
 * for, what it makes of the answers (and refuses of them), retries and hints, and that the
 * token shows up in no error and no log line.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ForgeError } from '../../src/errors.js';
import type { Forge, PullRequest } from '../../src/forge.js';
import { createGitLabForge, gitLabHost } from '../../src/forges/gitlab/index.js';
import { createLogger } from '../../src/log/logger.js';
import { Redactor } from '../../src/log/redact.js';
import { startGitLabEmulator, type GitLabEmulator } from '../../src/testing/gitlab/index.js';
import { Commits } from '@gitbeaker/rest';
import { createTestRemote, isolatedGitEnv, type TestRemote } from '../helpers/git.js';
import { newPullRequest } from '../helpers/new-pull-request.js';

const TOKEN = 'glpat-Forge-Test-Secret-4711';
const TRAILERS = 'Drawbridge-Update: api=1.2.3\nDrawbridge-Environment: prod';
const LIST = 'GET /projects/:id/merge_requests';

/** A clock a second apart per reading, so updated_at orders are unambiguous. */
function steppingClock(): () => Date {
  let at = Date.parse('2030-01-01T00:00:00Z');
  return () => new Date((at += 1000));
}

interface Harness {
  readonly forge: Forge;
  /** Every log line the forge wrote, unredacted (the logger knows no secret). */
  readonly lines: string[];
  readonly sleeps: number[];
}

function harness(
  emulator: GitLabEmulator,
  overrides: { token?: string; repository?: string; apiUrl?: string } = {},
): Harness {
  const lines: string[] = [];
  const sleeps: number[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  const forge = createGitLabForge({
    settings: {
      type: 'gitlab',
      apiUrl: overrides.apiUrl ?? emulator.apiUrl,
      repository: overrides.repository ?? 'acme/fleet',
      tokenEnv: 'GITLAB_TOKEN',
    },
    env: { GITLAB_TOKEN: overrides.token ?? TOKEN },
    logger: createLogger({ destination, redactor: new Redactor(), level: 'debug' }),
    redactor: new Redactor(),
    baseDir: '/nowhere',
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { forge, lines, sleeps };
}

const request = newPullRequest;

async function failure(work: Promise<unknown>): Promise<ForgeError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ForgeError);
  return error as ForgeError;
}

/** Creates many branches at one commit in one git process. */
async function branchesAt(remote: TestRemote, sha: string, names: readonly string[]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile(
      'git',
      ['update-ref', '--stdin'],
      { cwd: remote.bare, env: isolatedGitEnv() },
      (error) => {
        if (error) reject(new Error('git update-ref failed', { cause: error }));
        else resolve();
      },
    );
    child.stdin?.end(names.map((name) => `create refs/heads/${name} ${sha}\n`).join(''));
  });
}

let emulator: GitLabEmulator;
let remote: TestRemote;
let gitlab: Harness;
let branches = 0;

beforeAll(async () => {
  emulator = await startGitLabEmulator({ now: steppingClock() });
  remote = await createTestRemote({ main: { 'README.md': 'fleet\n' } });
  emulator.addProject('acme/fleet', remote.bare);
  emulator.addToken(TOKEN);
  emulator.addUser('alice');
  emulator.addUser('bob');
  gitlab = harness(emulator);
});
afterAll(async () => {
  await emulator.close();
  await remote.cleanup();
});
beforeEach(() => {
  emulator.faults.clear();
  emulator.resetCalls();
  gitlab.sleeps.length = 0;
});

async function branch(
  message = `Update ${branches}\n\n${TRAILERS}\n`,
): Promise<{ name: string; sha: string }> {
  const name = `drawbridge/prod/update-${++branches}`;
  const sha = await remote.commit(
    name,
    { [`values-${branches}.yaml`]: `tag: ${branches}\n` },
    { from: 'main', message },
  );
  return { name, sha };
}

describe('GitLab forge: opening, updating, closing', () => {
  it('opens with labels, reviewers as user ids and a draft prefix it leaves off the title', async () => {
    const { name, sha } = await branch();
    const pr = await gitlab.forge.open(
      request(name, { draft: true, labels: ['drawbridge', 'prod'], reviewers: ['alice', 'bob'] }),
    );
    expect(pr).toMatchObject({
      state: 'open',
      head: name,
      base: 'main',
      headSha: sha,
      title: `Update ${name}`,
    });
    expect(pr.url).toBe(`${emulator.url}/acme/fleet/-/merge_requests/${pr.number}`);
    const [created] = emulator.mergeRequests('acme/fleet').filter((m) => m.iid === pr.number);
    expect(created).toMatchObject({
      title: `Draft: Update ${name}`,
      draft: true,
      labels: ['drawbridge', 'prod'],
      reviewers: ['alice', 'bob'],
      description: 'drawbridge body',
    });
    expect(emulator.calls('GET /users')).toBe(2);
    expect(emulator.calls('POST /projects/:id/merge_requests')).toBe(1);
  });

  it('names every unknown reviewer and creates nothing', async () => {
    const { name } = await branch();
    const error = await failure(gitlab.forge.open(request(name, { reviewers: ['alice', 'carol', 'dave'] })));
    expect(error.message).toBe('GitLab has no user carol, dave');
    expect(error.retryable).toBe(false);
    expect(emulator.calls('POST /projects/:id/merge_requests')).toBe(0);
  });

  it('refuses team reviewers before any call, pointing at reviewers and CODEOWNERS', async () => {
    const { name } = await branch();
    const error = await failure(gitlab.forge.open(request(name, { teamReviewers: ['platform'] })));
    expect(error.message).toBe('GitLab has no team reviewers');
    expect(error.hint).toMatch(/reviewers.*CODEOWNERS/);
    expect(emulator.calls()).toBe(0);
  });

  it("says GitLab's 409 when an open merge request already goes from the branch into the base", async () => {
    const { name } = await branch();
    const first = await gitlab.forge.open(request(name));
    const error = await failure(gitlab.forge.open(request(name)));
    expect(error.status).toBe(409);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(
      `Another open merge request already exists for this source branch: !${first.number}`,
    );
  });

  it('updates title and body, keeping a draft a draft', async () => {
    const { name } = await branch();
    const pr = await gitlab.forge.open(request(name, { draft: true }));
    const updated = await gitlab.forge.update(pr, { title: 'Update api to 1.2.4', body: 'new body' });
    expect(updated).toMatchObject({ number: pr.number, title: 'Update api to 1.2.4', body: 'new body' });
    expect(updated.updatedAt.getTime()).toBeGreaterThan(pr.updatedAt.getTime());
    const [view] = emulator.mergeRequests('acme/fleet').filter((m) => m.iid === pr.number);
    expect(view).toMatchObject({ title: 'Draft: Update api to 1.2.4', draft: true });
  });

  it('closes with a note first, then the new description', async () => {
    const { name } = await branch();
    const pr = await gitlab.forge.open(request(name));
    await gitlab.forge.close(pr, 'Superseded by a newer update.', 'closed body');
    expect(emulator.notes('acme/fleet', pr.number).map((n) => n.body)).toEqual([
      'Superseded by a newer update.',
    ]);
    const [view] = emulator.mergeRequests('acme/fleet').filter((m) => m.iid === pr.number);
    expect(view).toMatchObject({ state: 'closed', description: 'closed body' });
  });

  it("reads a commit's full message, and refuses what is not a full commit id", async () => {
    const { sha } = await branch(`Update api\n\n${TRAILERS}\n`);
    expect(await gitlab.forge.commitMessage(sha)).toBe(`Update api\n\n${TRAILERS}\n`);
    expect(emulator.calls('GET /projects/:id/repository/commits/:sha')).toBe(1);
    emulator.resetCalls();
    const error = await failure(gitlab.forge.commitMessage('main'));
    expect(error.retryable).toBe(false);
    expect(emulator.calls()).toBe(0);
  });
});

describe('GitLab forge: merging', () => {
  it('sets auto-merge pinned to the head; runPipelines squashes with the head commit message', async () => {
    const { name, sha } = await branch(`Update api to 1.2.3\n\n${TRAILERS}\n`);
    const pr = await gitlab.forge.open(request(name, { title: 'Update api to 1.2.3 (prod)' }));
    expect(await gitlab.forge.autoMerge(pr, 'squash')).toBe('enabled');
    expect(await gitlab.forge.autoMerge(pr, 'squash')).toBe('enabled');
    const [marked] = emulator.mergeRequests('acme/fleet').filter((m) => m.iid === pr.number);
    expect(marked).toMatchObject({ state: 'opened', autoMerge: true, squash: true });

    expect(await emulator.runPipelines()).toBe(1);
    const [top] = await remote.log('main');
    expect(top!.parents).toHaveLength(1);
    expect(top!.message).toBe(`Update api to 1.2.3\n\n${TRAILERS}\n`);
    expect(top!.sha).not.toBe(sha);
    expect(await gitlab.forge.autoMerge(pr, 'squash')).toBe('merged');
  });

  it('with merge, the head commit and its trailers land in the target under a merge commit', async () => {
    const { name, sha } = await branch(`Update web to 2.0.0\n\n${TRAILERS}\n`);
    const pr = await gitlab.forge.open(request(name, { title: 'Update web' }));
    expect(await gitlab.forge.autoMerge(pr, 'merge')).toBe('enabled');
    await emulator.runPipelines();
    const log = await remote.log('main');
    expect(log[0]!.parents).toEqual([expect.any(String), sha]);
    expect(log[0]!.message).toContain(`Merge branch '${name}' into 'main'`);
    expect(log.find((c) => c.sha === sha)?.message).toBe(`Update web to 2.0.0\n\n${TRAILERS}\n`);
  });

  it('answers a retryable 409 when the branch moved since the merge request was read', async () => {
    const { name } = await branch();
    const pr = await gitlab.forge.open(request(name));
    await remote.commit(name, { 'late.txt': 'late\n' }, { message: 'a late push' });
    const error = await failure(gitlab.forge.autoMerge(pr, 'merge'));
    expect(error.status).toBe(409);
    expect(error.retryable).toBe(true);
    expect(error.hint).toContain('moved');
  });

  it('refuses rebase: the merge method is a project setting in GitLab', async () => {
    const { name } = await branch();
    const pr = await gitlab.forge.open(request(name));
    const error = await failure(gitlab.forge.autoMerge(pr, 'rebase'));
    expect(error.hint).toContain('project setting');
    expect(emulator.calls('PUT /projects/:id/merge_requests/:iid/merge')).toBe(0);
  });
});

describe('GitLab forge: listing', () => {
  let big: GitLabEmulator;
  let bigRemote: TestRemote;
  let forge: Forge;
  let opened: PullRequest[];

  beforeAll(async () => {
    big = await startGitLabEmulator({ now: steppingClock() });
    bigRemote = await createTestRemote({ main: { 'README.md': 'big\n' } });
    big.addProject('acme/big', bigRemote.bare);
    big.addToken(TOKEN);
    forge = harness(big, { repository: 'acme/big' }).forge;
    const sha = await bigRemote.commit('seed', { 'a.txt': 'a\n' }, { from: 'main' });
    const names = Array.from({ length: 262 }, (_, i) => `u-${i}`);
    await branchesAt(bigRemote, sha, [...names, 'release']);
    opened = [];
    for (const name of names.slice(0, 250)) opened.push(await forge.open(request(name)));
    // Into another branch: never listed for main.
    await forge.open(request('u-250', { base: 'release' }));
    // Twelve more, then closed (even) or merged by a person (odd), updated in that order.
    for (const name of names.slice(251)) {
      const pr = await forge.open(request(name));
      const i = Number(name.slice(2));
      if (i % 2 === 0) await forge.close(pr, 'stale', 'closed');
      else await big.merge('acme/big', pr.number);
    }
  }, 120_000);
  afterAll(async () => {
    await big.close();
    await bigRemote.cleanup();
  });

  it('lists 250 open merge requests over three pages of 100', async () => {
    big.resetCalls();
    const open = await forge.listOpen('main');
    expect(open).toHaveLength(250);
    expect(new Set(open.map((p) => p.number))).toEqual(new Set(opened.map((p) => p.number)));
    expect(open.every((p) => p.state === 'open' && p.base === 'main')).toBe(true);
    expect(big.calls(LIST)).toBe(3);
  });

  it('lists closed and merged ones newest first, stopping at the limit', async () => {
    big.resetCalls();
    const closed = await forge.listClosed('main', 5);
    expect(closed.map((p) => p.head)).toEqual(['u-261', 'u-260', 'u-259', 'u-258', 'u-257']);
    expect(closed.map((p) => p.state)).toEqual(['merged', 'closed', 'merged', 'closed', 'merged']);
    expect(big.calls(LIST)).toBe(2);
    const all = await forge.listClosed('main', 100);
    expect(all).toHaveLength(11);
    expect(all.map((p) => p.updatedAt.getTime())).toEqual(
      [...all.map((p) => p.updatedAt.getTime())].sort((a, b) => b - a),
    );
    expect(await forge.listClosed('main', 0)).toEqual([]);
  });
});

describe('GitLab forge: failures and hints', () => {
  it('says the token in GITLAB_TOKEN is invalid or expired on 401', async () => {
    const stranger = harness(emulator, { token: 'glpat-not-a-real-token' });
    const error = await failure(stranger.forge.listOpen('main'));
    expect(error.status).toBe(401);
    expect(error.retryable).toBe(false);
    expect(error.hint).toContain('the token in GITLAB_TOKEN is invalid or expired');
  });

  it('says the token needs the api scope and the Developer role on 403', async () => {
    emulator.addToken('glpat-read-only-forge', { username: 'reader', scopes: ['read_api'] });
    const reader = harness(emulator, { token: 'glpat-read-only-forge' });
    const { name } = await branch();
    const error = await failure(reader.forge.open(request(name)));
    expect(error.status).toBe(403);
    expect(error.hint).toMatch(/api scope.*Developer role on acme\/fleet/);
  });

  it('says the project is not found or not visible on 404', async () => {
    const lost = harness(emulator, { repository: 'acme/missing' });
    const error = await failure(lost.forge.listOpen('main'));
    expect(error.status).toBe(404);
    expect(error.hint).toContain(
      'project acme/missing not found or not visible to the token in GITLAB_TOKEN',
    );
  });

  it('waits out Retry-After through sleep, then succeeds', async () => {
    emulator.faults.rateLimit(2, { retryAfterSeconds: 7 });
    await gitlab.forge.listOpen('main');
    expect(gitlab.sleeps).toEqual([7000, 7000]);
    expect(emulator.calls(LIST)).toBe(3);
  });

  it('gives up after a bounded number of tries, and does not wait longer than its maximum', async () => {
    emulator.faults.rateLimit(10, { retryAfterSeconds: 1 });
    const error = await failure(gitlab.forge.listOpen('main'));
    expect(error).toMatchObject({ status: 429, retryable: true });
    expect(gitlab.sleeps).toEqual([1000, 1000, 1000]);
    expect(emulator.calls(LIST)).toBe(4);

    emulator.faults.clear();
    gitlab.sleeps.length = 0;
    emulator.faults.rateLimit(1, { retryAfterSeconds: 3600 });
    const long = await failure(gitlab.forge.listOpen('main'));
    expect(long).toMatchObject({ status: 429, retryable: true });
    expect(long.context['retryAfter']).toBe('3600');
    expect(gitlab.sleeps).toEqual([]);
  });

  it('retries a read after a 5xx and reports a retryable error when 5xx persists', async () => {
    emulator.faults.fail(1, { status: 502 });
    await gitlab.forge.listOpen('main');
    expect(gitlab.sleeps).toEqual([1000]);

    emulator.faults.fail(10, { status: 500 });
    const error = await failure(gitlab.forge.listOpen('main'));
    expect(error).toMatchObject({ status: 500, retryable: true });
    expect(error.hint).toContain('next pass');
  });

  it('does not send a write again after a 5xx: the error is retryable for the next pass', async () => {
    const { name } = await branch();
    emulator.faults.fail(1, { status: 503, route: 'POST /projects/:id/merge_requests' });
    const error = await failure(gitlab.forge.open(request(name)));
    expect(error).toMatchObject({ status: 503, retryable: true });
    expect(emulator.calls('POST /projects/:id/merge_requests')).toBe(1);
  });

  it('reports an unreachable GitLab as retryable', async () => {
    const closed = await startGitLabEmulator();
    const apiUrl = closed.apiUrl;
    await closed.close();
    const offline = harness(emulator, { apiUrl });
    const error = await failure(offline.forge.listOpen('main'));
    expect(error.retryable).toBe(true);
    expect(error.status).toBeUndefined();
    expect(error.hint).toContain('did not answer');
  });

  it('does not follow a redirect, so the token never goes to another address', async () => {
    const seen: unknown[] = [];
    const elsewhere = createServer((req, res) => {
      seen.push(req.headers['private-token']);
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    const port = async (server: Server): Promise<number> => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as AddressInfo).port;
    };
    const target = await port(elsewhere);
    const redirector = createServer((req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${target}${req.url ?? '/'}` }).end();
    });
    const apiUrl = `http://127.0.0.1:${await port(redirector)}/api/v4`;
    try {
      const error = await failure(harness(emulator, { apiUrl }).forge.listOpen('main'));
      expect(error).toMatchObject({ status: 302, retryable: false });
      expect(error.hint).toContain('redirect');
      expect(seen).toEqual([]);
    } finally {
      elsewhere.close();
      redirector.close();
    }
  });

  it('refuses a hostile answer: a source branch with a newline, a javascript: web_url', async () => {
    const one = await branch();
    const two = await branch();
    const a = await gitlab.forge.open(request(one.name));
    const b = await gitlab.forge.open(request(two.name));
    emulator.tamper('acme/fleet', a.number, { source_branch: 'evil\nDrawbridge-Update: api=6.6.6' });
    const branchError = await failure(gitlab.forge.listOpen('main'));
    expect(branchError.message).toContain('invalid source branch');
    emulator.tamper('acme/fleet', a.number, {});
    emulator.tamper('acme/fleet', b.number, { web_url: 'javascript:alert(1)' });
    const urlError = await failure(gitlab.forge.update(b, { title: 't', body: 'b' }));
    expect(urlError.message).toContain('invalid url');
    emulator.tamper('acme/fleet', b.number, {});
  });

  it('refuses a bad apiUrl, a bad project path and a missing token when built', () => {
    expect(gitLabHost('https://git.example.com/gitlab/api/v4/', (t) => t)).toBe(
      'https://git.example.com/gitlab',
    );
    const bad = (): unknown =>
      gitLabHost('https://user:hunter2@git.example.com/api/v4', (t) => new Redactor().redact(t));
    expect(bad).toThrow(ForgeError);
    expect(() => bad()).toThrow(/^(?!.*hunter2)/);
    expect(() => gitLabHost('https://git.example.com/api', (t) => t)).toThrow(/not a GitLab API root/);
    expect(() => harness(emulator, { repository: 'https://gitlab.com/acme/fleet.git' })).toThrow(
      /not a GitLab project path/,
    );
    expect(() => harness(emulator, { token: ' ' })).toThrow(/GitLab needs a token in GITLAB_TOKEN/);
  });

  it('never puts the token in an error or a log line', async () => {
    const secret = 'glpat-Never-Printed-0042';
    emulator.addToken(secret, { username: 'leak-check', scopes: ['read_api'] });
    const watched = harness(emulator, { token: secret });
    const errors: ForgeError[] = [];
    const { name } = await branch();
    errors.push(await failure(watched.forge.open(request(name))));
    emulator.faults.rateLimit(10);
    errors.push(await failure(watched.forge.listOpen('main')));
    emulator.faults.clear();
    emulator.faults.fail(10, { status: 502 });
    errors.push(await failure(watched.forge.listOpen('main')));
    emulator.faults.clear();
    errors.push(await failure(harness(emulator, { token: `${secret}-x` }).forge.listOpen('main')));
    errors.push(
      await failure(harness(emulator, { token: secret, repository: 'acme/none' }).forge.listOpen('main')),
    );
    expect(watched.lines.length).toBeGreaterThan(0);
    for (const line of watched.lines) expect(line).not.toContain(secret);
    for (const error of errors) {
      const shown = [
        error.message,
        error.hint ?? '',
        JSON.stringify(error.context),
        inspect(error, { depth: 20 }),
      ];
      for (const text of shown) expect(text).not.toContain(secret);
    }
  });
});

describe('GitLab forge: commit statuses and pipelines', () => {
  const FLUX = 'glpat-Flux-Status-Poster-0001';
  const post = async (
    sha: string,
    state: 'pending' | 'running' | 'success' | 'failed' | 'canceled',
    name: string,
  ): Promise<void> => {
    await new Commits({ host: emulator.url, token: FLUX }).editStatus('acme/fleet', sha, state, {
      name,
      targetUrl: 'https://flux.example.test/apps',
    });
  };
  beforeAll(() => emulator.addToken(FLUX, { username: 'flux' }));

  it('reads the latest status of each name and the latest pipeline of each name; the external pipeline is left out', async () => {
    const { sha } = await branch();
    await post(sha, 'pending', 'kustomization/apps/1a2b3c4d');
    await post(sha, 'success', 'kustomization/apps/1a2b3c4d'); // the same job, finished
    await post(sha, 'failed', 'argocd/prod');
    await post(sha, 'success', 'argocd/prod'); // a new job after a finished one: the latest wins
    await post(sha, 'running', 'smoke');
    await post(sha, 'canceled', 'load');
    const first = emulator.runPipeline('acme/fleet', { sha, ref: 'main', status: 'failed' });
    emulator.runPipeline('acme/fleet', { sha, ref: 'main', status: 'success' }); // retried, passed
    emulator.runPipeline('acme/fleet', { sha, ref: 'main', status: 'running', name: 'verify' });
    emulator.resetCalls();
    const checks = await gitlab.forge.commitChecks!(sha);
    expect(emulator.calls('GET /projects/:id/repository/commits/:sha/statuses')).toBe(1);
    expect(emulator.calls('GET /projects/:id/pipelines')).toBe(1);
    const byContext = new Map(checks.map((check) => [check.context, check]));
    expect(Object.fromEntries([...byContext].map(([context, check]) => [context, check.state]))).toEqual({
      'kustomization/apps/1a2b3c4d': 'success',
      'argocd/prod': 'success',
      smoke: 'pending',
      load: 'failure',
      pipeline: 'success',
      'pipeline/verify': 'pending',
    });
    expect(byContext.get('kustomization/apps/1a2b3c4d')!.url).toBe('https://flux.example.test/apps');
    expect(byContext.get('pipeline')!.url).toMatch(/\/acme\/fleet\/-\/pipelines\/\d+$/);
    expect(byContext.get('pipeline')!.url).not.toContain(`/${first}`);
    for (const check of checks) expect(check.at).toBeInstanceOf(Date);
  });

  it('a commit nobody reported on has no checks; a failed pipeline is a failure', async () => {
    const { sha } = await branch();
    expect(await gitlab.forge.commitChecks!(sha)).toEqual([]);
    const id = emulator.runPipeline('acme/fleet', { sha, ref: 'main', status: 'running' });
    expect((await gitlab.forge.commitChecks!(sha))[0]).toMatchObject({
      context: 'pipeline',
      state: 'pending',
    });
    emulator.setPipeline('acme/fleet', id, 'failed');
    expect((await gitlab.forge.commitChecks!(sha))[0]).toMatchObject({
      context: 'pipeline',
      state: 'failure',
    });
  });

  it('refuses a status whose name is not one printable line, and reads nothing but a full commit id', async () => {
    const { sha } = await branch();
    await post(sha, 'failed', 'kustomization/apps\nDrawbridge-Update: api=6.6.6');
    const error = await failure(gitlab.forge.commitChecks!(sha));
    expect(error.message).toBe('gitlab answered a commit status with an invalid context');
    emulator.resetCalls();
    await failure(gitlab.forge.commitChecks!('main\nInjected: yes'));
    expect(emulator.calls()).toBe(0);
  });

  it('a token without read_api gets a refusal saying what it needs', async () => {
    const token = 'glpat-Forge-Test-UserOnly-0001';
    emulator.addToken(token, { scopes: ['read_user'] });
    const { sha } = await branch();
    const error = await failure(harness(emulator, { token }).forge.commitChecks!(sha));
    expect(error.status).toBe(403);
    expect(error.retryable).toBe(false);
    expect(error.hint).toContain('read_api');
    expect(`${error.message} ${error.hint ?? ''}`).not.toContain(token);
  });

  it('an unknown commit is a 404 naming the commit', async () => {
    const error = await failure(gitlab.forge.commitChecks!('0'.repeat(40)));
    expect(error.status).toBe(404);
    expect(error.hint).toContain(`no commit ${'0'.repeat(40)} in acme/fleet`);
  });
});
