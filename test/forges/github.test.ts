import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ForgeError } from '../../src/errors.js';
import type { Forge, ForgeSettings } from '../../src/forge.js';
import { createGitHubForge } from '../../src/forges/github/index.js';
import { createLogger } from '../../src/log/logger.js';
import { Redactor } from '../../src/log/redact.js';
import { startGitHubEmulator, type GitHubEmulator } from '../../src/testing/github/index.js';
import { createTestRemote, isolatedGitEnv, type TestRemote } from '../helpers/git.js';
import { newPullRequest } from '../helpers/new-pull-request.js';
import { memoryStream } from '../helpers/io.js';

const TOKEN = 'github_pat_11FORGETEST0000secretvalue';
const FULL = {
  pull_requests: 'write',
  contents: 'write',
  issues: 'write',
  statuses: 'write',
  checks: 'write',
} as const;
const TRAILERS = 'Drawbridge-Update: prod/api 1.2.3 -> 1.2.4\nDrawbridge-Environment: prod';

/** Everything any forge in this file logged, and every error it threw: none may hold a token. */
const logged: (() => string)[] = [];
const thrown: ForgeError[] = [];
const tokens = new Set<string>([TOKEN]);

/** The fields of a REST pull request the hostile proxy rewrites. */
interface PullJson {
  head: { ref: string };
  html_url: string;
}

interface Harness {
  readonly forge: Forge;
  readonly sleeps: number[];
  readonly redactor: Redactor;
  readonly log: () => string;
}

function harness(
  apiUrl: string,
  options: {
    settings?: Partial<ForgeSettings>;
    env?: NodeJS.ProcessEnv;
    now?: () => Date;
    baseDir?: string;
  } = {},
): Harness {
  const sink = memoryStream();
  // No secrets registered with this logger: a token would show if the forge ever logged one.
  const logger = createLogger({ destination: sink.stream, pretty: false, level: 'trace' });
  const redactor = new Redactor();
  const sleeps: number[] = [];
  logged.push(sink.text);
  const forge = createGitHubForge({
    settings: {
      type: 'github',
      apiUrl,
      repository: 'acme/fleet',
      tokenEnv: 'GH_TOKEN',
      paceWrites: false,
      ...options.settings,
    },
    env: options.env ?? { GH_TOKEN: TOKEN },
    logger,
    redactor,
    baseDir: options.baseDir ?? '/',
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...(options.now ? { now: options.now } : {}),
  });
  return { forge, sleeps, redactor, log: sink.text };
}

async function refusal(promise: Promise<unknown>): Promise<ForgeError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ForgeError);
    thrown.push(error as ForgeError);
    return error as ForgeError;
  }
  throw new Error('expected a ForgeError');
}

const request = newPullRequest;

/** `count` branches off main in one fast-import, each one commit carrying drawbridge's trailers. */
async function seedBranches(remote: TestRemote, prefix: string, count: number): Promise<string[]> {
  const main = (await remote.head('main'))!;
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const names = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  const when = `${Math.floor(Date.now() / 1000)} +0000`;
  let stream = '';
  for (const name of names) {
    stream += `commit refs/heads/${name}\ncommitter Test Person <person@example.test> ${when}\n`;
    stream += data(`Update ${name}\n\n${TRAILERS}\n`);
    stream += `from ${main}\nM 100644 inline ${name.replace(/\//g, '-')}.txt\n${data(name)}`;
  }
  await new Promise<void>((resolve, reject) => {
    const child = execFile(
      'git',
      ['fast-import', '--quiet', '--done'],
      { cwd: remote.bare, env: isolatedGitEnv() },
      (error) => (error ? reject(new Error('git fast-import failed', { cause: error })) : resolve()),
    );
    child.stdin?.end(`${stream}done\n`);
  });
  return names;
}

function plainClient(emulator: GitHubEmulator): Octokit {
  return new Octokit({
    baseUrl: emulator.apiUrl,
    auth: TOKEN,
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
}

let remote: TestRemote;
let emulator: GitHubEmulator;
let octokit: Octokit;
let branchCount = 0;

async function branch(): Promise<string> {
  const [name] = await seedBranches(remote, `drawbridge/prod-${++branchCount}-`, 1);
  return name!;
}

beforeAll(async () => {
  remote = await createTestRemote({ main: { 'README.md': 'fleet\n' } });
  emulator = await startGitHubEmulator();
  emulator.addRepository('acme/fleet', remote.bare, { collaborators: ['alice', 'bob'], teams: ['platform'] });
  emulator.addToken(TOKEN, { permissions: FULL });
  octokit = plainClient(emulator);
});
afterAll(async () => {
  await emulator.close();
  await remote.cleanup();
});
afterEach(() => emulator.faults.clear());

describe('GitHub forge: pull requests', () => {
  it('opens a draft with labels, reviewers and teams', async () => {
    const { forge } = harness(emulator.apiUrl);
    const head = await branch();
    const opened = await forge.open(
      request(head, {
        draft: true,
        labels: ['dependencies', 'prod'],
        reviewers: ['alice'],
        teamReviewers: ['platform'],
      }),
    );
    expect(opened).toMatchObject({
      state: 'open',
      head,
      base: 'main',
      headSha: await remote.head(head),
      title: `Update ${head}`,
      body: 'drawbridge body',
      url: `${emulator.webUrl}/acme/fleet/pull/${opened.number}`,
    });
    expect(opened.updatedAt).toBeInstanceOf(Date);
    expect(emulator.pullRequests('acme/fleet').find((pull) => pull.number === opened.number)).toMatchObject({
      draft: true,
      labels: ['dependencies', 'prod'],
      reviewers: ['alice'],
      teams: ['platform'],
    });
  });

  it('keeps a pull request it opened when GitHub refuses its reviewers, and says so in the log', async () => {
    const { forge, log } = harness(emulator.apiUrl);
    const opened = await forge.open(request(await branch(), { reviewers: ['mallory'] }));
    expect(opened.state).toBe('open');
    const line = log()
      .split('\n')
      .find((entry) => entry.includes('github pull request opened without all its settings'));
    expect(JSON.parse(line!)).toMatchObject({
      level: 'warn',
      pullRequest: opened.number,
      operation: 'request reviewers',
    });
  });

  it('updates title and body, and closes with a comment and a new body', async () => {
    const { forge } = harness(emulator.apiUrl);
    const created = await octokit.rest.pulls.create({
      owner: 'acme',
      repo: 'fleet',
      head: await branch(),
      base: 'main',
      title: 'old',
    });
    const [pull] = (await forge.listOpen('main')).filter((p) => p.number === created.data.number);
    const updated = await forge.update(pull!, { title: 'new title', body: 'new body' });
    expect(updated).toMatchObject({
      number: pull!.number,
      title: 'new title',
      body: 'new body',
      state: 'open',
    });
    await forge.close(updated, 'Superseded by a newer update.', 'closed: superseded');
    const after = emulator.pullRequests('acme/fleet').find((p) => p.number === pull!.number)!;
    expect(after).toMatchObject({ state: 'closed', merged: false, body: 'closed: superseded' });
    expect(emulator.comments('acme/fleet', pull!.number).map((c) => c.body)).toEqual([
      'Superseded by a newer update.',
    ]);
  });

  it('lists 300 open pull requests over three pages of 100', async () => {
    const big = await createTestRemote({ main: { 'README.md': 'big\n' } });
    try {
      emulator.addRepository('acme/big', big.bare);
      const heads = await seedBranches(big, 'drawbridge/many-', 300);
      for (let i = 0; i < heads.length; i += 20)
        await Promise.all(
          heads
            .slice(i, i + 20)
            .map((head) =>
              octokit.rest.pulls.create({ owner: 'acme', repo: 'big', head, base: 'main', title: head }),
            ),
        );
      const { forge } = harness(emulator.apiUrl, { settings: { repository: 'acme/big' } });
      emulator.resetCalls();
      const open = await forge.listOpen('main');
      expect(open).toHaveLength(300);
      expect(new Set(open.map((pull) => pull.number)).size).toBe(300);
      expect(new Set(open.map((pull) => pull.head))).toEqual(new Set(heads));
      expect(emulator.calls('pulls.list')).toBe(3);
      expect(await forge.listOpen('release')).toEqual([]);
    } finally {
      await big.cleanup();
    }
  }, 120_000);

  it('lists closed pull requests, most recently updated first, merged ones as merged, at most the limit', async () => {
    const { forge } = harness(emulator.apiUrl);
    const numbers: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const created = await octokit.rest.pulls.create({
        owner: 'acme',
        repo: 'fleet',
        head: await branch(),
        base: 'main',
        title: `c${i}`,
      });
      numbers.push(created.data.number);
    }
    await emulator.close('acme/fleet', numbers[0]!);
    await emulator.merge('acme/fleet', numbers[1]!, 'squash');
    await emulator.close('acme/fleet', numbers[2]!);
    await emulator.merge('acme/fleet', numbers[3]!, 'merge');
    emulator.resetCalls();
    const closed = await forge.listClosed('main', 3);
    expect(closed.map((pull) => [pull.number, pull.state])).toEqual([
      [numbers[3], 'merged'],
      [numbers[2], 'closed'],
      [numbers[1], 'merged'],
    ]);
    expect(emulator.calls('pulls.list')).toBe(1);
    expect(await forge.listClosed('main', 0)).toEqual([]);
  });
});

describe('GitHub forge: auto-merge and commit messages', () => {
  it('keeps the Drawbridge-Update trailers in the base branch through a merge commit and a squash', async () => {
    const { forge } = harness(emulator.apiUrl);
    for (const method of ['merge', 'squash'] as const) {
      const opened = await forge.open(request(await branch()));
      emulator.resetCalls();
      expect(await forge.autoMerge(opened, method)).toBe('enabled');
      expect(await forge.autoMerge(opened, method)).toBe('enabled');
      expect(emulator.calls('graphql')).toBe(1);
      const merged = await emulator.runAutoMerge();
      expect(merged.map((entry) => entry.number)).toEqual([opened.number]);

      const [tip] = await remote.log('main', { firstParent: true });
      expect(tip!.sha).toBe(merged[0]!.sha);
      if (method === 'merge') {
        expect(tip!.parents).toEqual([expect.any(String), opened.headSha]);
        expect(await forge.commitMessage(tip!.parents[1]!)).toContain(TRAILERS);
      } else {
        expect(tip!.parents).toHaveLength(1);
        expect(tip!.message).toContain(`(#${opened.number})`);
        expect(tip!.message).toContain(TRAILERS);
        expect(await forge.commitMessage(tip!.sha)).toBe(tip!.message.replace(/\n+$/, ''));
      }
      const [last] = await forge.listClosed('main', 1);
      expect(last).toMatchObject({ number: opened.number, state: 'merged' });
      expect(await forge.autoMerge(opened, method)).toBe('merged');
    }
  });

  it('merges at once a pull request GitHub will not enable auto-merge on because it is mergeable now', async () => {
    const clean = await createTestRemote({ main: { 'README.md': 'clean\n' } });
    try {
      emulator.addRepository('acme/clean', clean.bare, { requiredChecks: false });
      const [head] = await seedBranches(clean, 'drawbridge/clean-', 1);
      const { forge } = harness(emulator.apiUrl, { settings: { repository: 'acme/clean' } });
      const created = await octokit.rest.pulls.create({
        owner: 'acme',
        repo: 'clean',
        head: head!,
        base: 'main',
        title: 't',
      });
      const [pull] = await forge.listOpen('main');
      expect(pull!.number).toBe(created.data.number);
      expect(await forge.autoMerge(pull!, 'squash')).toBe('merged');
      expect((await clean.log('main'))[0]!.message).toContain(TRAILERS);
    } finally {
      await clean.cleanup();
    }
  });

  it('refuses to read a commit by anything but a full commit id, before any call', async () => {
    const { forge } = harness(emulator.apiUrl);
    emulator.resetCalls();
    const error = await refusal(forge.commitMessage('main'));
    expect(error.retryable).toBe(false);
    expect(emulator.calls()).toBe(0);
  });
});

describe('GitHub forge: commit statuses and check runs', () => {
  it('reads the latest status of each context and the latest check run of each name; a status wins over a run of its name', async () => {
    const { forge } = harness(emulator.apiUrl);
    const sha = (await remote.head('main'))!;
    const status = (state: 'success' | 'failure' | 'error' | 'pending', context: string) =>
      octokit.rest.repos.createCommitStatus({
        owner: 'acme',
        repo: 'fleet',
        sha,
        state,
        context,
        target_url: 'https://flux.example.test/apps',
      });
    await status('pending', 'kustomization/apps');
    await status('success', 'kustomization/apps');
    await status('error', 'argocd/prod');
    await octokit.rest.checks.create({
      owner: 'acme',
      repo: 'fleet',
      head_sha: sha,
      name: 'smoke',
      status: 'in_progress',
    });
    await octokit.rest.checks.create({
      owner: 'acme',
      repo: 'fleet',
      head_sha: sha,
      name: 'argocd/prod',
      status: 'completed',
      conclusion: 'success',
    });
    const checks = await forge.commitChecks!(sha);
    const byContext = new Map(checks.map((check) => [check.context, check]));
    expect([...byContext.keys()].sort()).toEqual(['argocd/prod', 'kustomization/apps', 'smoke']);
    expect(byContext.get('kustomization/apps')).toMatchObject({
      state: 'success',
      url: 'https://flux.example.test/apps',
    });
    expect(byContext.get('argocd/prod')!.state).toBe('failure');
    expect(byContext.get('smoke')!.state).toBe('pending');
    for (const check of checks) expect(check.at).toBeInstanceOf(Date);
  });

  it('refuses to read statuses by anything but a full commit id, before any call', async () => {
    const { forge } = harness(emulator.apiUrl);
    emulator.resetCalls();
    const error = await refusal(forge.commitChecks!('main\nInjected: yes'));
    expect(error.retryable).toBe(false);
    expect(emulator.calls()).toBe(0);
  });

  it('a token without statuses read permission gets a refusal naming the permission', async () => {
    const token = 'github_pat_11FORGETEST0000nostatuses';
    tokens.add(token);
    emulator.addToken(token, { permissions: { pull_requests: 'write', contents: 'read', checks: 'read' } });
    const { forge } = harness(emulator.apiUrl, { env: { GH_TOKEN: token } });
    const error = await refusal(forge.commitChecks!((await remote.head('main'))!));
    expect(error.message).toContain('read commit statuses');
    expect(`${error.message} ${error.hint ?? ''}`).toContain('Statuses: read');
  });
});

describe('GitHub forge: GitHub Enterprise Server', () => {
  it('talks to the given apiUrl, with GraphQL at /api/graphql', async () => {
    const enterprise = await startGitHubEmulator({ enterprise: true });
    try {
      enterprise.addRepository('acme/fleet', remote.bare);
      enterprise.addToken(TOKEN, { permissions: FULL });
      const ghes = new Octokit({ baseUrl: enterprise.apiUrl, auth: TOKEN });
      await ghes.rest.pulls.create({
        owner: 'acme',
        repo: 'fleet',
        head: await branch(),
        base: 'main',
        title: 'ghes',
      });
      const { forge } = harness(`${enterprise.apiUrl}/`);
      const [pull] = await forge.listOpen('main');
      expect(pull!.url.startsWith(enterprise.webUrl)).toBe(true);
      expect(await forge.autoMerge(pull!, 'rebase')).toBe('enabled');
      expect(enterprise.calls('graphql')).toBe(1);
    } finally {
      await enterprise.close();
    }
  });
});

describe('GitHub forge: a GitHub App', () => {
  it('uses installation tokens, replaces them before and after they expire, and registers each with the redactor', async () => {
    let offsetMs = 0;
    const clock = () => new Date(Date.now() + offsetMs);
    const appEmulator = await startGitHubEmulator({ now: clock, tokenTtlMs: 120_000 });
    try {
      appEmulator.addRepository('acme/fleet', remote.bare);
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      appEmulator.addApp({
        appId: 31337,
        installationId: 4242,
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        permissions: { pull_requests: 'write', contents: 'read' },
      });
      await writeFile(
        join(remote.root, 'app.pem'),
        privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      );
      const { forge, redactor } = harness(appEmulator.apiUrl, {
        settings: {
          tokenEnv: undefined,
          app: { appId: 31337, installationId: 4242, privateKeyFile: 'app.pem' },
        },
        env: {},
        now: clock,
        baseDir: remote.root,
      });
      await forge.listOpen('main');
      await forge.listOpen('main');
      expect(appEmulator.issuedTokens()).toHaveLength(1);

      offsetMs = 150_000; // past the first token's expiry
      await forge.listOpen('main');
      expect(appEmulator.issuedTokens()).toHaveLength(2);

      offsetMs = 250_000; // 20 s before the second one expires: replaced ahead of time
      await forge.listOpen('main');
      const issued = appEmulator.issuedTokens();
      expect(issued).toHaveLength(3);
      expect(issued[1]!.expiresAt.getTime()).toBeGreaterThan(clock().getTime());
      for (const { token } of issued) {
        tokens.add(token);
        expect(redactor.redact(`x ${token} y`)).toBe('x *** y');
      }

      appEmulator.revokeToken(issued[2]!.token);
      const revoked = await refusal(forge.listOpen('main'));
      expect(revoked).toMatchObject({ status: 401, retryable: true });
      expect(revoked.hint).toContain('App 31337');
      await forge.listOpen('main');
      expect(appEmulator.issuedTokens()).toHaveLength(4);
      tokens.add(appEmulator.issuedTokens()[3]!.token);
    } finally {
      await appEmulator.close();
    }
  });

  it('says which App and installation when GitHub refuses them', async () => {
    const appEmulator = await startGitHubEmulator();
    try {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      appEmulator.addApp({
        appId: 7,
        installationId: 70,
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        permissions: FULL,
      });
      await writeFile(
        join(remote.root, 'app7.pem'),
        privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      );
      const app = (installationId: number, privateKeyFile = 'app7.pem') =>
        harness(appEmulator.apiUrl, {
          settings: { tokenEnv: undefined, app: { appId: 7, installationId, privateKeyFile } },
          env: {},
          baseDir: remote.root,
        }).forge;
      const noInstallation = await refusal(app(71).listOpen('main'));
      expect(noInstallation).toMatchObject({ status: 404, retryable: false });
      expect(noInstallation.hint).toContain('forge.app.installationId');
      const noKey = await refusal(app(70, 'missing.pem').listOpen('main'));
      expect(noKey.message).toContain('missing.pem');
      expect(noKey.hint).toContain('forge.app.privateKeyFile');
    } finally {
      await appEmulator.close();
    }
  });
});

describe('GitHub forge: refusals and their hints', () => {
  it('401: names the variable the token came from', async () => {
    const { forge } = harness(emulator.apiUrl, { env: { GH_TOKEN: 'ghp_revokedTokenValue123' } });
    tokens.add('ghp_revokedTokenValue123');
    const error = await refusal(forge.listOpen('main'));
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect(error.hint).toBe(
      'the token in GH_TOKEN is invalid or expired: create a new one and put it in GH_TOKEN',
    );
  });

  it('refuses to start without a token, naming the variable', () => {
    expect(() => harness(emulator.apiUrl, { env: {} })).toThrow(/GH_TOKEN/);
  });

  it('403: names the missing permission from x-accepted-github-permissions', async () => {
    emulator.addToken('github_pat_readonly_000000000', { permissions: { pull_requests: 'read' } });
    tokens.add('github_pat_readonly_000000000');
    const { forge } = harness(emulator.apiUrl, { env: { GH_TOKEN: 'github_pat_readonly_000000000' } });
    expect(await forge.listOpen('main')).toEqual(expect.any(Array));
    const error = await refusal(forge.open(request(await branch())));
    expect(error).toMatchObject({ status: 403, retryable: false });
    expect(error.hint).toContain('"Pull requests: write"');
    expect(error.hint).toContain('GH_TOKEN');
    expect(error.hint).toContain('repo scope');
  });

  it('404: the repository is missing or the token cannot see it', async () => {
    emulator.addToken('github_pat_elsewhere_0000000', { permissions: FULL, repositories: ['acme/other'] });
    tokens.add('github_pat_elsewhere_0000000');
    const { forge } = harness(emulator.apiUrl, { env: { GH_TOKEN: 'github_pat_elsewhere_0000000' } });
    const error = await refusal(forge.listOpen('main'));
    expect(error).toMatchObject({ status: 404, retryable: false });
    expect(error.hint).toContain('cannot see it');
  });

  it('422: GitHub’s own message', async () => {
    const { forge } = harness(emulator.apiUrl);
    const error = await refusal(forge.open(request('no-such-branch')));
    expect(error).toMatchObject({ status: 422, retryable: false });
    expect(error.message).toContain('Validation Failed: head invalid');
  });
});

describe('GitHub forge: rate limits and failures', () => {
  it('spaces its writes by default, as GitHub asks of integrations, and not its reads', async () => {
    const { forge } = harness(emulator.apiUrl, { settings: { paceWrites: undefined } });
    const head = await branch();
    const readsStarted = Date.now();
    for (let i = 0; i < 3; i += 1) await forge.listOpen('main');
    const reads = Date.now() - readsStarted;
    const started = Date.now();
    const opened = await forge.open(request(head));
    await forge.update(opened, { title: 'paced 1', body: 'b' });
    await forge.update(opened, { title: 'paced 2', body: 'b' });
    // Three writes, each at least a second after the one before (a lower bound only).
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(reads).toBeLessThan(Date.now() - started);
    expect(emulator.pullRequests('acme/fleet').find((pr) => pr.number === opened.number)?.title).toBe(
      'paced 2',
    );
  }, 30_000);

  it('waits out a secondary rate limit for as long as retry-after says, through the injected sleep', async () => {
    const { forge, sleeps } = harness(emulator.apiUrl);
    emulator.resetCalls();
    emulator.faults.secondaryRateLimit({ count: 2, retryAfterSeconds: 7, route: 'pulls.list' });
    expect(await forge.listOpen('main')).toEqual(expect.any(Array));
    expect(sleeps).toEqual([7000, 7000]);
    expect(emulator.calls('pulls.list')).toBe(3);
  });

  it('does not wait longer than its maximum, nor more often than its retries: a retryable ForgeError', async () => {
    const long = harness(emulator.apiUrl);
    emulator.faults.secondaryRateLimit({ retryAfterSeconds: 3600, route: 'pulls.list' });
    const tooLong = await refusal(long.forge.listOpen('main'));
    expect(tooLong).toMatchObject({ status: 403, retryable: true });
    expect(tooLong.context).toMatchObject({ rateLimit: 'secondary', retryAfterSeconds: 3600 });
    expect(long.sleeps).toEqual([]);

    const often = harness(emulator.apiUrl);
    emulator.faults.secondaryRateLimit({ count: 10, retryAfterSeconds: 1, route: 'pulls.list' });
    expect(await refusal(often.forge.listOpen('main'))).toMatchObject({ retryable: true });
    expect(often.sleeps).toEqual([1000, 1000, 1000]);
  });

  it('waits for the primary rate limit’s reset', async () => {
    const { forge, sleeps } = harness(emulator.apiUrl);
    emulator.faults.primaryRateLimit({ status: 429, resetInSeconds: 5, route: 'pulls.list' });
    expect(await forge.listOpen('main')).toEqual(expect.any(Array));
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(5000);
    expect(sleeps[0]).toBeLessThanOrEqual(7000);
  });

  it('5xx and network failures are retryable ForgeErrors', async () => {
    const { forge } = harness(emulator.apiUrl);
    emulator.faults.serverErrors({ count: 1, status: 502, route: 'pulls.list' });
    const error = await refusal(forge.listOpen('main'));
    expect(error).toMatchObject({ status: 502, retryable: true });
    expect(await forge.listOpen('main')).toEqual(expect.any(Array));

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await refusal(harness(`http://127.0.0.1:${port}`).forge.listOpen('main'));
    expect(unreachable).toMatchObject({ status: undefined, retryable: true });
    expect(unreachable.message).toContain(`could not reach http://127.0.0.1:${port}`);
  });
});

describe('GitHub forge: hostile answers', () => {
  let proxy: Server;
  let proxyUrl: string;
  let tamper: (path: string, body: unknown) => { status?: number; body: unknown; link?: string };
  let foreign: Server;
  let foreignUrl: string;
  let foreignCalls = 0;

  beforeAll(async () => {
    foreign = createServer((_req, res) => {
      foreignCalls += 1;
      res.end('[]');
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
    // A proxy in front of the emulator that rewrites what GitHub answers.
    proxy = createServer((req, res) => {
      void (async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const upstream = await fetch(`${emulator.apiUrl}${req.url}`, {
          method: req.method!,
          headers: {
            authorization: String(req.headers.authorization ?? ''),
            'content-type': 'application/json',
          },
          ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
        });
        const text = await upstream.text();
        const changed = tamper(req.url!, text === '' ? undefined : (JSON.parse(text) as unknown));
        const link = changed.link ?? upstream.headers.get('link');
        res.writeHead(changed.status ?? upstream.status, {
          'content-type': 'application/json; charset=utf-8',
          ...(link ? { link } : {}),
        });
        res.end(JSON.stringify(changed.body));
      })();
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    for (let i = 0; i < 2; i += 1)
      await octokit.rest.pulls.create({
        owner: 'acme',
        repo: 'fleet',
        head: await branch(),
        base: 'main',
        title: `h${i}`,
      });
  });
  afterAll(async () => {
    await new Promise((resolve) => proxy.close(resolve));
    await new Promise((resolve) => foreign.close(resolve));
  });

  const onList = (change: (pull: PullJson) => void) => (path: string, body: unknown) => {
    if (path.includes('/pulls?') && Array.isArray(body)) change(body[0] as PullJson);
    return { body };
  };

  it('refuses a pull request whose head ref holds a newline', async () => {
    tamper = onList((pull) => (pull.head.ref = 'drawbridge/x\nDrawbridge-Update: forged'));
    const error = await refusal(harness(proxyUrl).forge.listOpen('main'));
    expect(error.message).toContain('invalid source branch');
    expect(error.retryable).toBe(false);
  });

  it('refuses a commit status whose context holds a newline or whose state is unknown, and drops a javascript: target', async () => {
    const sha = (await remote.head('main'))!;
    await octokit.rest.repos.createCommitStatus({
      owner: 'acme',
      repo: 'fleet',
      sha,
      state: 'success',
      context: 'hostile',
    });
    const onStatus = (change: (status: Record<string, unknown>) => void) => (path: string, body: unknown) => {
      const statuses = (body as { statuses?: Record<string, unknown>[] } | undefined)?.statuses;
      if (path.includes('/status?') && statuses?.[0]) change(statuses[0]);
      return { body };
    };
    tamper = onStatus((status) => (status['context'] = 'kustomization/apps\nDrawbridge-Update: forged'));
    expect((await refusal(harness(proxyUrl).forge.commitChecks!(sha))).message).toContain('invalid context');
    tamper = onStatus((status) => (status['state'] = 'fine'));
    expect((await refusal(harness(proxyUrl).forge.commitChecks!(sha))).message).toContain('invalid state');
    tamper = onStatus((status) => (status['target_url'] = 'javascript:alert(1)'));
    const checks = await harness(proxyUrl).forge.commitChecks!(sha);
    expect(checks.find((check) => check.context === 'hostile')).not.toHaveProperty('url');
  });

  it('refuses a pull request whose html_url is javascript:', async () => {
    tamper = onList((pull) => (pull.html_url = 'javascript:alert(document.cookie)'));
    const error = await refusal(harness(proxyUrl).forge.listOpen('main'));
    expect(error.message).toContain('invalid url');
  });

  it('refuses a merged state without a date, and a commit answer for another commit', async () => {
    tamper = (path, body) => {
      if (path.includes('/pulls?') && Array.isArray(body))
        Object.assign(body[0] as PullJson, { state: 'closed', merged_at: 12 });
      if (path.includes('/commits/')) Object.assign(body as PullJson, { sha: 'a'.repeat(40) });
      return { body };
    };
    const { forge } = harness(proxyUrl);
    expect((await refusal(forge.listClosed('main', 5))).message).toContain('invalid state');
    expect((await refusal(forge.commitMessage((await remote.head('main'))!))).message).toContain(
      'invalid commit id',
    );
  });

  it('never follows a next-page link to another origin', async () => {
    tamper = (path, body) => ({
      body,
      ...(path.includes('/pulls?')
        ? { link: `<${foreignUrl}/repos/acme/fleet/pulls?page=2>; rel="next"` }
        : {}),
    });
    const open = await harness(proxyUrl).forge.listOpen('main');
    expect(open.length).toBeGreaterThan(0);
    expect(foreignCalls).toBe(0);
  });

  it('retries a RATE_LIMITED GraphQL answer within its bounds, then fails retryable', async () => {
    tamper = (path, body) =>
      path.startsWith('/graphql')
        ? {
            body: {
              data: null,
              errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for user ID 1.' }],
            },
          }
        : { body };
    const { forge, sleeps } = harness(proxyUrl);
    const [pull] = await forge.listOpen('main');
    const error = await refusal(forge.autoMerge(pull!, 'squash'));
    expect(error).toMatchObject({ retryable: true });
    expect(error.message).toContain('RATE_LIMITED');
    expect(sleeps).toHaveLength(3);
  });

  it('redacts a token an answer echoes back in its message', async () => {
    tamper = () => ({
      status: 422,
      body: { message: `token ${TOKEN} is not welcome here` },
    });
    const error = await refusal(harness(proxyUrl).forge.listOpen('main'));
    expect(error.message).toContain('token *** is not welcome');
  });
});

describe('GitHub forge: secrets', () => {
  it('never put a token in a log line or in an error', () => {
    const lines = logged.map((text) => text()).join('');
    expect(lines.length).toBeGreaterThan(0);
    expect(thrown.length).toBeGreaterThan(10);
    const errors = thrown
      .map((error) => JSON.stringify([error.message, error.hint, error.context]))
      .join('\n');
    for (const token of tokens) {
      expect(lines).not.toContain(token);
      expect(errors).not.toContain(token);
    }
  });
});
