/**
 * The pull-request rules of reconcile/pull-requests.ts against an in-memory forge: one open
 * pull request per push branch, a person's edits kept until the branch changes, closing
 * when nothing is pending, and closed-unmerged pull requests read back as refusals. The
 * forges themselves are tested against their emulators (test/forges/).
 */
import { describe, expect, it } from 'vitest';
import type { Forge, NewPullRequest, PullRequest } from '../../src/forge.js';
import { renderUpdateTrailers } from '../../src/git/trailers.js';
import { CLOSED_MARKER, pullRequestBody, withoutMarkers } from '../../src/reconcile/pull-request-body.js';
import {
  CLOSED_READ,
  CLOSED_READ_MAX,
  closedRefusals,
  closedToRead,
  closePullRequest,
  keepPullRequest,
} from '../../src/reconcile/pull-requests.js';

const SHA = (n: number): string => n.toString(16).padStart(40, '0');
const DIGEST = `sha256:${'a'.repeat(64)}`;

function memoryForge(): Forge & { prs: PullRequest[]; messages: Map<string, string>; calls: string[] } {
  const prs: PullRequest[] = [];
  const messages = new Map<string, string>();
  const calls: string[] = [];
  const replace = (pr: PullRequest, change: Partial<PullRequest>): PullRequest => {
    const next = { ...pr, ...change, updatedAt: new Date() };
    prs[prs.indexOf(prs.find((p) => p.number === pr.number)!)] = next;
    return next;
  };
  return {
    type: 'github',
    maxBodyLength: 65_536,
    prs,
    messages,
    calls,
    listOpen: async (base) => prs.filter((pr) => pr.base === base && pr.state === 'open'),
    listClosed: async (base, limit) =>
      prs
        .filter((pr) => pr.base === base && pr.state !== 'open')
        .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())
        .slice(0, limit),
    open: async (request: NewPullRequest) => {
      calls.push(`open ${request.head} ${request.labels.join(',')}`);
      const pr: PullRequest = {
        number: prs.length + 1,
        url: `https://github.example/pr/${prs.length + 1}`,
        state: 'open',
        head: request.head,
        base: request.base,
        headSha: SHA(prs.length + 1),
        title: request.title,
        body: request.body,
        updatedAt: new Date(),
      };
      prs.push(pr);
      return pr;
    },
    update: async (pr, content) => {
      calls.push(`update #${pr.number}`);
      return replace(pr, content);
    },
    close: async (pr, comment, body) => {
      calls.push(`close #${pr.number}: ${comment.slice(0, 20)}`);
      replace(pr, { state: 'closed', body });
    },
    autoMerge: async (pr, method) => {
      calls.push(`auto-merge #${pr.number} ${method}`);
      return 'enabled';
    },
    commitMessage: async (sha) => {
      const message = messages.get(sha);
      if (message === undefined) throw new Error(`no commit ${sha}`);
      return message;
    },
  };
}

const settings = { draft: false, labels: ['deploy'] };
const keep = async (forge: Forge, commit: string, title = 'deploy(prod): api 1.0.0 → 1.1.0') =>
  keepPullRequest(forge, {
    head: 'drawbridge/prod',
    base: 'main',
    commit,
    title,
    body: `table\n\n<!-- drawbridge:commit ${commit} -->`,
    settings,
    dryRun: false,
    open: await forge.listOpen('main'),
  });

describe('keeping a pull request', () => {
  it("opens one, keeps a person's edits while the branch stays, rewrites them when it moves", async () => {
    const forge = memoryForge();
    expect(await keep(forge, SHA(100))).toMatchObject({ number: 1, action: 'opened' });
    expect(forge.calls).toEqual(['open drawbridge/prod deploy']);

    // A person retitles it; the branch has not moved: kept.
    forge.prs[0] = { ...forge.prs[0]!, title: 'prod: api, reviewed by alice' };
    expect(await keep(forge, SHA(100))).toMatchObject({ number: 1, action: 'unchanged' });
    expect(forge.prs[0]?.title).toBe('prod: api, reviewed by alice');

    // A newer commit on the branch: the description follows it.
    expect(await keep(forge, SHA(101), 'deploy(prod): api 1.0.0 → 1.2.0')).toMatchObject({
      number: 1,
      action: 'updated',
    });
    expect(forge.prs[0]?.title).toBe('deploy(prod): api 1.0.0 → 1.2.0');
    expect(forge.prs.filter((pr) => pr.state === 'open')).toHaveLength(1);
  });

  it('enables auto-merge when asked, and says in a dry run what it would do', async () => {
    const forge = memoryForge();
    const dry = await keepPullRequest(forge, {
      head: 'drawbridge/prod',
      base: 'main',
      commit: '',
      title: 't',
      body: 'b',
      settings,
      dryRun: true,
      open: [],
    });
    expect(dry).toMatchObject({ action: 'would-open', number: 0 });
    expect(forge.prs).toEqual([]);
    const opened = await keepPullRequest(forge, {
      head: 'drawbridge/prod',
      base: 'main',
      commit: SHA(7),
      title: 't',
      body: `b\n<!-- drawbridge:commit ${SHA(7)} -->`,
      settings: { ...settings, autoMerge: 'squash' },
      dryRun: false,
      open: [],
    });
    expect(opened).toMatchObject({ action: 'opened', autoMerge: 'enabled' });
    expect(forge.calls).toContain('auto-merge #1 squash');
  });

  it("closes the open one with a comment when nothing is pending, marked as drawbridge's own close", async () => {
    const forge = memoryForge();
    await keep(forge, SHA(100));
    expect(
      await closePullRequest(forge, {
        head: 'drawbridge/prod',
        base: 'main',
        dryRun: true,
        open: await forge.listOpen('main'),
      }),
    ).toMatchObject({
      action: 'would-close',
    });
    expect(forge.prs[0]?.state).toBe('open');
    expect(
      await closePullRequest(forge, {
        head: 'drawbridge/prod',
        base: 'main',
        dryRun: false,
        open: await forge.listOpen('main'),
      }),
    ).toMatchObject({
      number: 1,
      action: 'closed',
    });
    expect(forge.prs[0]?.body).toContain(CLOSED_MARKER);
    expect(
      await closePullRequest(forge, {
        head: 'drawbridge/prod',
        base: 'main',
        dryRun: false,
        open: await forge.listOpen('main'),
      }),
    ).toBeUndefined();
  });
});

describe('closed pull requests as refusals', () => {
  it("refuses the tags of a pull request a person closed unmerged, not of merged ones or drawbridge's own closes", async () => {
    const forge = memoryForge();
    const trailers = (environment: string, tag: string) =>
      `deploy(${environment}): api\n\n${renderUpdateTrailers(environment, [{ image: 'api', old: '1.0.0', new: tag, digest: DIGEST }])}\n`;
    const add = (n: number, state: PullRequest['state'], head: string, body: string, message: string) => {
      forge.prs.push({
        number: n,
        url: `https://github.example/pr/${n}`,
        state,
        head,
        base: 'main',
        headSha: SHA(n),
        title: 't',
        body,
        updatedAt: new Date(Date.now() - n * 1000),
      });
      forge.messages.set(SHA(n), message);
    };
    add(1, 'closed', 'drawbridge/prod', 'b', trailers('prod', '1.1.0'));
    add(2, 'merged', 'drawbridge/prod', 'b', trailers('prod', '1.2.0'));
    add(3, 'closed', 'drawbridge/prod', `b\n\n${CLOSED_MARKER}`, trailers('prod', '1.3.0'));
    add(4, 'closed', 'someone/else', 'b', trailers('prod', '1.4.0'));
    add(5, 'closed', 'drawbridge/prod', 'b', trailers('staging', '1.5.0'));
    add(6, 'closed', 'drawbridge/prod', 'b', 'fix: typo\n\nDrawbridge-Update: forged');
    const messages = new Map<string, string>();
    const refused = await closedRefusals(
      forge,
      { base: 'main', environment: 'prod', isOwnHead: (head) => head === 'drawbridge/prod', limit: 50 },
      messages,
    );
    expect([...(refused.get('api')?.tags ?? [])]).toEqual(['1.1.0']);
    expect(refused.get('api')?.digests.has(DIGEST)).toBe(true);
    expect(refused.get('api')?.notes.get('1.1.0')).toBe('pull request #1 closed without merging');
    // Read once: the message is cached by sha.
    expect(messages.has(SHA(1))).toBe(true);
  });

  it('reads two closed pull requests per image when each image has its own, within bounds', () => {
    expect(closedToRead(false, 500)).toBe(CLOSED_READ);
    expect(closedToRead(true, 3)).toBe(CLOSED_READ);
    expect(closedToRead(true, 200)).toBe(400);
    expect(closedToRead(true, 5_000)).toBe(CLOSED_READ_MAX);
  });

  it("keeps a large update table within the forge's limit, and drawbridge's markers out of comparisons", () => {
    const updates = Array.from({ length: 700 }, (_, i) => ({
      environment: 'prod',
      image: `svc-${i}`,
      repository: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/fleet/svc-${i}`,
      old: '1.0.0',
      new: '1.0.1',
      digest: DIGEST,
      files: Array.from({ length: 6 }, (_, f) => `apps/svc-${i}/file-${f}.yaml`),
    }));
    const body = pullRequestBody({
      environment: 'prod',
      branch: 'main',
      commit: SHA(9),
      updates,
      decisions: [],
      maxLength: 65_536,
    });
    expect(body.length).toBeLessThan(65_536);
    expect(body).toContain('more updates: the commit message lists every one');
    expect(body).toContain(
      '[svc-0](https://eu-west-1.console.aws.amazon.com/ecr/repositories/private/123456789012/fleet/svc-0?region=eu-west-1)',
    );
    expect(withoutMarkers(body)).not.toContain('drawbridge:commit');
  });
});
