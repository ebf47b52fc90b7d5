import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { readHistory } from '../../src/git/history.js';
import { fileHistoryMemo, historyKey, memoryHistoryMemo } from '../../src/git/history-memo.js';
import { renderCommitMessage } from '../../src/git/message.js';
import { openWorkspace, type Workspace } from '../../src/git/workspace.js';
import { createTestRemote, isolatedGitEnv, type TestRemote } from '../helpers/git.js';

const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo';
const manifest = (tag: string): string => `image: ${REPO}:${tag} # {"$imagepolicy": "podinfo"}\n`;
const message = (old: string, next: string): string =>
  renderCommitMessage({
    environment: 'dev',
    updates: [
      {
        image: 'podinfo',
        repository: REPO,
        old,
        new: next,
        digest: `sha256:${'ab'.repeat(32)}`,
        files: [{ file: 'app.yaml' }],
      },
    ],
  });

describe('branch histories kept by head', () => {
  let remote: TestRemote;
  let workspace: Workspace;
  let dir: string;
  /** Counts the git processes the workspace runs. */
  let calls = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'drawbridge-history-memo-'));
    remote = await createTestRemote({ dev: { 'app.yaml': manifest('1.0.0') } });
    const opened = await openWorkspace({
      url: remote.url,
      workdir: remote.workdir,
      author: { name: 'drawbridge', email: 'bot@test' },
      env: isolatedGitEnv(),
      logger: silentLogger(),
    });
    const counted = opened.git.bind(opened);
    workspace = { ...opened, git: (args) => ((calls += 1), counted(args)) };
    await workspace.fetch();
  });
  afterAll(async () => {
    await remote.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads git once per head, across processes through the file, and again after a new commit', async () => {
    const file = join(dir, 'branch-histories.json');
    const options = (memo: ReturnType<typeof memoryHistoryMemo>) => ({ environment: 'dev', depth: 50, memo });
    const deployed = await remote.commit(
      'dev',
      { 'app.yaml': manifest('1.0.1') },
      { message: message('1.0.0', '1.0.1') },
    );
    await remote.revert('dev', deployed);
    await workspace.fetch();

    calls = 0;
    const first = fileHistoryMemo({ file, stamp: 'test-1', logger: silentLogger() });
    const read = await readHistory(workspace, 'dev', options(first));
    expect(read.reverted.get('podinfo')?.tags).toEqual(new Set(['1.0.1']));
    expect(calls).toBeGreaterThan(0);

    // The next process: same head, nothing asked of git, the same history.
    calls = 0;
    const next = fileHistoryMemo({ file, stamp: 'test-1', logger: silentLogger() });
    const again = await readHistory(workspace, 'dev', options(next));
    expect(calls).toBe(0);
    expect(again.reverted.get('podinfo')?.tags).toEqual(new Set(['1.0.1']));
    expect(again.reverted.get('podinfo')?.digests).toEqual(new Set([`sha256:${'ab'.repeat(32)}`]));
    expect(again.lastUpdates.get('podinfo')).toEqual(read.lastUpdates.get('podinfo'));
    expect(again.lastUpdates.get('podinfo')?.at).toBeInstanceOf(Date);

    // A person's revert of the revert moves the head: read again, and the tag is allowed again.
    const revert = (await workspace.git(['rev-parse', 'refs/remotes/origin/dev'])).trim();
    await remote.revert('dev', revert);
    await workspace.fetch();
    calls = 0;
    const moved = await readHistory(workspace, 'dev', options(next));
    expect(calls).toBeGreaterThan(0);
    expect(moved.reverted.has('podinfo')).toBe(false);
    const stored = JSON.parse(await readFile(file, 'utf8')) as { entries: Record<string, { key: string }> };
    expect(Object.keys(stored.entries)).toEqual(['dev']);
    expect(stored.entries['dev']?.key).toBe(historyKey((await workspace.remoteHead('dev')) ?? '', 50));
  });

  it('ignores a file of another drawbridge, a damaged one, and an entry whose fields are off', async () => {
    const file = join(dir, 'other.json');
    await readHistory(workspace, 'dev', {
      environment: 'dev',
      depth: 50,
      memo: fileHistoryMemo({ file, stamp: 'test-1', logger: silentLogger() }),
    });
    const text = await readFile(file, 'utf8');
    const tampered = JSON.parse(text) as { entries: Record<string, { lastUpdates: unknown[] }> };
    tampered.entries['dev']!.lastUpdates = [['podinfo', 1, 'not-a-commit', 'yesterday']];
    for (const content of [
      text.replace('"test-1"', '"test-2"'),
      text.slice(0, text.length / 2),
      JSON.stringify(tampered),
    ]) {
      await writeFile(file, content);
      calls = 0;
      const history = await readHistory(workspace, 'dev', {
        environment: 'dev',
        depth: 50,
        memo: fileHistoryMemo({ file, stamp: 'test-1', logger: silentLogger() }),
      });
      expect(calls).toBeGreaterThan(0);
      expect(history.lastUpdates.get('podinfo')?.tag).toBe('1.0.1');
    }
  });

  it('keeps one entry per environment in memory: another depth or head is read again', async () => {
    const memo = memoryHistoryMemo();
    await readHistory(workspace, 'dev', { environment: 'dev', depth: 50, memo });
    calls = 0;
    await readHistory(workspace, 'dev', { environment: 'dev', depth: 50, memo });
    expect(calls).toBe(0);
    await readHistory(workspace, 'dev', { environment: 'dev', depth: 10, memo });
    expect(calls).toBeGreaterThan(0);
  });
});
