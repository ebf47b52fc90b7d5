import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveInterval } from '../../src/policy/types.js';
import { silentLogger } from '../../src/log/logger.js';
import { readHistory, readLiveIntervals } from '../../src/git/history.js';
import { renderCommitMessage, type CommitUpdate } from '../../src/git/message.js';
import { openWorkspace, type Workspace } from '../../src/git/workspace.js';
import { createTestRemote, git, isolatedGitEnv, type TestRemote } from '../helpers/git.js';

const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo';
const at = (hour: number): Date => new Date(Date.UTC(2026, 0, 1, hour));
const deployment = (tag: string, api = 'main-1'): string =>
  [
    'spec:',
    '  containers:',
    `    - image: ${REPO}:${tag} # {"$imagepolicy": "flux-system:podinfo"}`,
    `    - image: api.example/api:${api} # {"$imagepolicy": "api"}`,
    '',
  ].join('\n');
const update = (old: string, next: string, digest: string): CommitUpdate => ({
  image: 'podinfo',
  repository: REPO,
  old,
  new: next,
  digest,
  files: [{ file: 'apps/podinfo.yaml' }],
});
const deployMessage = (environment: string, old: string, next: string, digest: string): string =>
  renderCommitMessage({ environment, updates: [update(old, next, digest)] });

async function open(remote: TestRemote): Promise<Workspace> {
  const workspace = await openWorkspace({
    url: remote.url,
    workdir: remote.workdir,
    author: { name: 'drawbridge', email: 'bot@test' },
    env: isolatedGitEnv(),
    logger: silentLogger(),
  });
  await workspace.fetch();
  return workspace;
}

describe('reverts', () => {
  let remote: TestRemote;
  beforeAll(async () => {
    remote = await createTestRemote({ dev: { 'apps/podinfo.yaml': deployment('1.0.0') } });
  });
  afterAll(() => remote.cleanup());

  it('a revert rejects tag and digest for that environment only; a revert of the revert lifts it', async () => {
    const d1 = await remote.commit(
      'dev',
      { 'apps/podinfo.yaml': deployment('1.0.1') },
      { message: deployMessage('dev', '1.0.0', '1.0.1', `sha256:${'d1'.repeat(32)}`) },
    );
    const other = await remote.commit(
      'dev',
      { 'other/podinfo.yaml': deployment('9.9.9') },
      { message: deployMessage('staging', '1.0.0', '9.9.9', `sha256:${'0e'.repeat(32)}`) },
    );
    const r1 = await remote.revert('dev', d1);
    await remote.revert('dev', other);

    let workspace = await open(remote);
    let history = await readHistory(workspace, 'dev', { environment: 'dev', depth: 50 });
    expect(history.reverted.get('podinfo')).toEqual({
      tags: new Set(['1.0.1']),
      digests: new Set([`sha256:${'d1'.repeat(32)}`]),
    });
    expect(history.lastUpdates.get('podinfo')).toMatchObject({ tag: '1.0.1', commit: d1 });
    await workspace.close();

    const r2 = await remote.revert('dev', r1);
    workspace = await open(remote);
    history = await readHistory(workspace, 'dev', { environment: 'dev', depth: 50 });
    expect(history.reverted.size).toBe(0);

    await remote.revert('dev', r2);
    await workspace.fetch();
    history = await readHistory(workspace, 'dev', { environment: 'dev', depth: 50 });
    expect([...(history.reverted.get('podinfo')?.tags ?? [])]).toEqual(['1.0.1']);

    // Bounded: with the reverted commit beyond the depth, the revert is not understood.
    history = await readHistory(workspace, 'dev', { environment: 'dev', depth: 2 });
    expect(history.reverted.size).toBe(0);
    expect(await readHistory(workspace, 'absent', { environment: 'dev', depth: 50 })).toMatchObject({
      reverted: new Map(),
      holds: new Map(),
    });
    await workspace.close();
  });
});

describe('forged trailers', () => {
  it("a commit whose trailers do not parse exactly is not drawbridge's: no update, no revert, a warning", async () => {
    const remote = await createTestRemote({ prod: { 'apps/podinfo.yaml': deployment('1.0.0') } });
    try {
      const forged = await remote.commit(
        'prod',
        { 'apps/podinfo.yaml': deployment('6.6.6') },
        {
          message:
            'deploy(dev): podinfo 1.0.0 → 6.6.6\n\nDrawbridge-Environment: dev\n' +
            'Drawbridge-Update: podinfo 1.0.0 -> 6.6.6\nDrawbridge-Environment: prod\n',
        },
      );
      await remote.revert('prod', forged);
      const warnings: unknown[] = [];
      const logger = { ...silentLogger(), warn: (fields: unknown) => warnings.push(fields) } as ReturnType<
        typeof silentLogger
      >;
      const workspace = await open(remote);
      const history = await readHistory(workspace, 'prod', { environment: 'prod', depth: 50, logger });
      await workspace.close();
      expect(history.lastUpdates.size).toBe(0);
      expect(history.reverted.size).toBe(0);
      expect(history.refused).toEqual([
        { commit: forged, reasons: ['2 different Drawbridge-Environment trailers'] },
      ]);
      expect(warnings).toHaveLength(1);
    } finally {
      await remote.cleanup();
    }
  });
});

describe('reverts of merged pull requests', () => {
  it('a reverted merge of a push.branch pull request rejects the updates it merged', async () => {
    const remote = await createTestRemote({ main: { 'apps/podinfo.yaml': deployment('1.0.0') } });
    await remote.commit(
      'drawbridge/prod',
      { 'apps/podinfo.yaml': deployment('2.0.0') },
      { from: 'main', message: deployMessage('prod', '1.0.0', '2.0.0', `sha256:${'9f'.repeat(32)}`) },
    );
    await remote.commit('main', { 'README.md': 'meanwhile\n' });
    let merge = '';
    await remote.withClone('main', async (dir) => {
      await git(dir, ['fetch', 'origin', 'drawbridge/prod']);
      await git(dir, [
        'merge',
        '--no-ff',
        '-m',
        'Merge pull request #7 from acme/drawbridge/prod',
        'FETCH_HEAD',
      ]);
      merge = (await git(dir, ['rev-parse', 'HEAD'])).trim();
    });
    await remote.revert('main', merge, { mainline: 1 });
    const workspace = await open(remote);
    const history = await readHistory(workspace, 'main', { environment: 'prod', depth: 50 });
    expect(history.reverted.get('podinfo')).toEqual({
      tags: new Set(['2.0.0']),
      digests: new Set([`sha256:${'9f'.repeat(32)}`]),
    });
    await workspace.close();
    await remote.cleanup();
  });
});

describe('live intervals', () => {
  let remote: TestRemote;
  let workspace: Workspace;
  beforeAll(async () => {
    remote = await createTestRemote();
    await remote.commit('staging', { 'apps/podinfo.yaml': deployment('1.0.0') }, { date: at(0) });
    await remote.commit(
      'staging',
      { 'apps/podinfo.yaml': deployment('1.0.1') },
      { date: at(1), message: deployMessage('staging', '1.0.0', '1.0.1', `sha256:${'aa'.repeat(32)}`) },
    );
    // A person edits by hand, and a file outside the paths changes too.
    await remote.commit('staging', { 'apps/podinfo.yaml': deployment('1.0.2', 'main-2') }, { date: at(5) });
    await remote.commit('staging', { 'elsewhere/podinfo.yaml': deployment('7.7.7') }, { date: at(6) });
    // A merged pull request (first parent = staging) brings 1.0.3.
    await remote.commit(
      'feature',
      { 'apps/podinfo.yaml': deployment('1.0.3', 'main-2') },
      { date: at(7), from: 'staging' },
    );
    await remote.withClone('staging', async (dir) => {
      await git(dir, ['fetch', 'origin', 'feature']);
      await git(dir, ['merge', '--no-ff', '-m', 'Merge feature', 'FETCH_HEAD'], {
        GIT_AUTHOR_DATE: '@' + at(9).getTime() / 1000 + ' +0000',
        GIT_COMMITTER_DATE: '@' + at(9).getTime() / 1000 + ' +0000',
      });
    });
    workspace = await open(remote);
  });
  afterAll(async () => {
    await workspace.close();
    await remote.cleanup();
  });

  it('builds tag intervals from drawbridge commits, manual edits and first-parent merges', async () => {
    const live = await readLiveIntervals(workspace, 'staging', { paths: ['apps'], depth: 100, now: at(10) });
    expect(timesOf(live.get('podinfo'))).toEqual({
      '1.0.0': [{ since: at(0), until: at(1) }],
      '1.0.1': [{ since: at(1), until: at(5) }],
      '1.0.2': [{ since: at(5), until: at(9) }],
      '1.0.3': [{ since: at(9) }],
    });
    expect(timesOf(live.get('api'))).toEqual({
      'main-1': [{ since: at(0), until: at(5) }],
      'main-2': [{ since: at(5) }],
    });
  });

  it('seeds values introduced beyond the depth at the oldest commit read, and says so', async () => {
    const live = await readLiveIntervals(workspace, 'staging', { paths: ['apps'], depth: 1, now: at(10) });
    expect(times(live.get('api')?.get('main-2'))).toEqual([{ since: at(9), truncated: true }]);
    expect(times(live.get('podinfo')?.get('1.0.3'))).toEqual([{ since: at(9) }]);
    expect(times(live.get('podinfo')?.get('1.0.2'))).toEqual([
      { since: at(9), until: at(9), truncated: true },
    ]);
    expect(live.get('podinfo')?.get('1.0.0')).toBeUndefined();
  });

  it('names the commit that brought each value, and the head for a value still live', async () => {
    const log = await remote.log('staging', { firstParent: true });
    const [merge, elsewhere, manual, update, first] = log.map((commit) => commit.sha);
    const live = await readLiveIntervals(workspace, 'staging', { paths: ['apps'], depth: 100, now: at(10) });
    const podinfo = live.get('podinfo')!;
    expect(podinfo.get('1.0.0')![0]).toMatchObject({ commit: first });
    expect(podinfo.get('1.0.0')![0]!.head).toBeUndefined();
    expect(podinfo.get('1.0.1')![0]).toMatchObject({ commit: update });
    expect(podinfo.get('1.0.2')![0]).toMatchObject({ commit: manual });
    expect(podinfo.get('1.0.3')![0]).toMatchObject({ commit: merge, head: merge });
    expect(elsewhere).not.toBe(merge);
    const shallow = await readLiveIntervals(workspace, 'staging', { paths: ['apps'], depth: 1, now: at(10) });
    expect(shallow.get('api')?.get('main-2')?.[0]).toMatchObject({
      commit: merge,
      head: merge,
      truncated: true,
    });
  });

  it('reads the whole branch without paths and nothing for an absent branch', async () => {
    const live = await readLiveIntervals(workspace, 'staging', { depth: 100, now: at(10) });
    expect(times(live.get('podinfo')?.get('7.7.7'))).toEqual([{ since: at(6) }]);
    expect((await readLiveIntervals(workspace, 'nope', { depth: 100, now: at(10) })).size).toBe(0);
  });
});

/** The times of intervals, without the commits they name. */
function times(
  intervals: readonly LiveInterval[] | undefined,
): Omit<LiveInterval, 'commit' | 'head'>[] | undefined {
  return intervals?.map(({ commit: _commit, head: _head, ...rest }) => rest);
}

function timesOf(
  byTag: ReadonlyMap<string, readonly LiveInterval[]> | undefined,
): Record<string, Omit<LiveInterval, 'commit' | 'head'>[] | undefined> {
  return Object.fromEntries([...(byTag ?? [])].map(([tag, intervals]) => [tag, times(intervals)]));
}
