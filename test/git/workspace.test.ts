import { mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import { openWorkspace, type Workspace, type WorkspaceOptions } from '../../src/git/workspace.js';
import { createTestRemote, git, isolatedGitEnv, type TestRemote } from '../helpers/git.js';

const AUTHOR = { name: 'drawbridge-bot', email: 'bot@drawbridge.test' };

describe('workspace over file://', () => {
  let remote: TestRemote;
  let commands: string[];
  const open = (extra: Partial<WorkspaceOptions> = {}): Promise<Workspace> =>
    openWorkspace({
      url: remote.url,
      workdir: remote.workdir,
      author: AUTHOR,
      env: isolatedGitEnv(),
      logger: silentLogger(),
      onCommand: (command) => commands.push(command),
      ...extra,
    });

  beforeEach(async () => {
    commands = [];
    remote = await createTestRemote({
      main: { 'apps/podinfo.yaml': 'image: repo/podinfo:1.0.0\n' },
      dev: { 'apps/podinfo.yaml': 'image: repo/podinfo:1.0.0\n' },
    });
  });
  afterEach(() => remote.cleanup());

  it('clones once and reuses the clone: the second open makes no clone, a fetch is one process', async () => {
    const first = await open();
    await first.close();
    expect(commands.filter((c) => c === 'clone')).toHaveLength(1);
    commands = [];
    const second = await open();
    await second.fetch();
    expect(commands).not.toContain('clone');
    expect(commands.filter((c) => c === 'fetch')).toHaveLength(1);
    expect(commands).not.toContain('push');
    expect(await second.remoteHead('dev')).toBe(await remote.head('dev'));
    expect(await second.remoteHead('nope')).toBeUndefined();
    expect((await git(second.dir, ['config', '--get', 'core.autocrlf'])).trim()).toBe('false');
  });

  it('re-clones a workdir that is not a repository, points elsewhere or lost objects', async () => {
    const damages: Record<string, (dir: string) => Promise<void>> = {
      'not a git repository': async (dir) => {
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, 'junk'), 'x');
      },
      'a different origin': async (dir) => {
        await git(dir, ['remote', 'set-url', 'origin', 'file:///elsewhere.git']);
      },
      'missing objects': async (dir) => {
        await rm(join(dir, '.git', 'objects'), { recursive: true, force: true });
        await mkdir(join(dir, '.git', 'objects', 'pack'), { recursive: true });
      },
    };
    const first = await open();
    await first.close();
    for (const [name, damage] of Object.entries(damages)) {
      await damage(first.dir);
      commands = [];
      const again = await open();
      expect({ name, clones: commands.filter((c) => c === 'clone').length }).toEqual({ name, clones: 1 });
      expect(await again.remoteHead('dev')).toBe(await remote.head('dev'));
      await again.close();
    }
    const workspace = await open();
    const checkout = await workspace.checkout('dev', 'dev');
    expect(await readFile(join(checkout.dir, 'apps/podinfo.yaml'), 'utf8')).toContain('1.0.0');
  });

  it('opens a healthy clone with three reads side by side, and re-clones one whose ref lost its commit', async () => {
    const first = await open();
    await first.checkout('dev', 'dev');
    await first.close();
    commands = [];
    const again = await open();
    expect(commands.sort()).toEqual(['config', 'for-each-ref', 'rev-parse']);
    expect(await again.remoteHead('dev')).toBe(await remote.head('dev'));
    expect(await again.remoteHead('main')).toBe(await remote.head('main'));
    await again.close();

    // A branch whose commit object is gone (the other refs are fine): cloned again.
    await writeFile(join(first.dir, '.git', 'refs', 'heads', 'stray'), `${'0123456789'.repeat(4)}\n`);
    commands = [];
    const healed = await open();
    expect(commands.filter((c) => c === 'clone')).toHaveLength(1);
    expect(await healed.remoteHead('dev')).toBe(await remote.head('dev'));
    await healed.close();
  });

  it('rebuilds a worktree whose .git is gone, points elsewhere or names a damaged admin folder', async () => {
    const first = await open();
    const checkout = await first.checkout('dev', 'dev');
    await first.close();
    const damages: Record<string, () => Promise<void>> = {
      'no .git file': () => rm(join(checkout.dir, '.git'), { force: true }),
      'a .git file naming another folder': () =>
        writeFile(join(checkout.dir, '.git'), `gitdir: ${remote.bare}\n`),
      'an admin folder without HEAD': async () => {
        const pointer = (await readFile(join(checkout.dir, '.git'), 'utf8')).replace(/^gitdir: /, '').trim();
        await rm(join(pointer, 'HEAD'), { force: true });
      },
    };
    for (const [name, damage] of Object.entries(damages)) {
      await damage();
      commands = [];
      const workspace = await open();
      const again = await workspace.checkout('dev', 'dev');
      expect({ name, added: commands.filter((c) => c === 'worktree').length }).toEqual({ name, added: 2 });
      expect(await readFile(join(again.dir, 'apps/podinfo.yaml'), 'utf8')).toContain('1.0.0');
      expect((await git(again.dir, ['rev-parse', 'HEAD'])).trim()).toBe(await remote.head('dev'));
      expect((await git(again.dir, ['rev-parse', '--show-toplevel'])).trim()).toBe(again.dir);
      await workspace.close();
    }
  });

  it('checkout resets crash leftovers: edits, new files, staged files and a stale index.lock', async () => {
    const workspace = await open();
    const first = await workspace.checkout('dev', 'dev');
    await writeFile(join(first.dir, 'apps/podinfo.yaml'), 'image: repo/podinfo:6.6.6\n');
    await writeFile(join(first.dir, 'leftover.yaml'), 'x: 1\n');
    await writeFile(join(first.dir, 'staged.yaml'), 'y: 1\n');
    await git(first.dir, ['add', 'staged.yaml']);
    const gitDir = (await git(first.dir, ['rev-parse', '--absolute-git-dir'])).trim();
    await writeFile(join(gitDir, 'index.lock'), '');
    const again = await workspace.checkout('dev', 'dev');
    expect(again.dir).toBe(first.dir);
    expect(await readFile(join(again.dir, 'apps/podinfo.yaml'), 'utf8')).toBe('image: repo/podinfo:1.0.0\n');
    expect(await readdir(again.dir)).toEqual(['.git', 'apps']);
    expect(await workspace.commit(again, 'nothing')).toBeUndefined();

    // A fetch killed mid-way left a ref lock: fresh, it is respected; stale, it is removed.
    const moved = await remote.commit('dev', { 'README.md': 'moved\n' });
    const lock = join(workspace.dir, '.git', 'refs', 'remotes', 'origin', 'dev.lock');
    await writeFile(lock, '');
    await expect(workspace.fetch()).rejects.toBeInstanceOf(GitError);
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(lock, hourAgo, hourAgo);
    await workspace.fetch();
    expect(await workspace.remoteHead('dev')).toBe(moved);
  });

  it('a worktree this process left clean is not walked again; commit and push read HEAD from its files', async () => {
    const workspace = await open();
    await workspace.checkout('dev', 'dev'); // created
    const checkout = await workspace.checkout('dev', 'dev'); // verified and walked
    await writeFile(join(checkout.dir, 'apps/podinfo.yaml'), 'image: repo/podinfo:1.0.1\n');
    commands = [];
    const sha = await workspace.commit(checkout, 'deploy');
    expect(await workspace.push(checkout, { branch: 'dev', expected: checkout.head })).toBe('pushed');
    // git's auto-maintenance runs after the push that wrote objects, not after fetches of nothing.
    expect(commands).toEqual(['add', 'commit', 'push', 'maintenance']);
    expect(await remote.head('dev')).toBe(sha);
    commands = [];
    await workspace.fetch();
    expect(commands).toEqual(['fetch', 'for-each-ref']);

    // Its own commit, now the remote head: nothing to walk or reset.
    commands = [];
    const next = await workspace.checkout('dev', 'dev');
    expect(next.head).toBe(sha);
    expect(commands).toEqual([]);
    expect(await readFile(join(next.dir, 'apps/podinfo.yaml'), 'utf8')).toBe('image: repo/podinfo:1.0.1\n');

    // Declared untouched: the same again. Not declared: walked (and reset when dirty).
    workspace.untouched(next);
    commands = [];
    await workspace.checkout('dev', 'dev');
    expect(commands).toEqual([]);
    await writeFile(join(next.dir, 'leftover.yaml'), 'x: 1\n');
    const walked = await workspace.checkout('dev', 'dev');
    expect(commands).toContain('status');
    expect(await readdir(walked.dir)).toEqual(['.git', 'apps']);

    // Someone else moved the branch: the pristine mark is for another head, so the walk is back.
    const theirs = await remote.commit('dev', { 'README.md': 'hello\n' });
    workspace.untouched(walked);
    await workspace.fetch();
    commands = [];
    const moved = await workspace.checkout('dev', 'dev');
    expect(moved.head).toBe(theirs);
    expect(commands).toContain('reset');
    expect(await readFile(join(moved.dir, 'README.md'), 'utf8')).toBe('hello\n');
  });

  it('commits with the configured author and committer, keeps the message verbatim, pushes', async () => {
    const workspace = await open({ clock: () => new Date('2026-01-02T03:04:05Z') });
    const checkout = await workspace.checkout('dev', 'dev');
    await writeFile(join(checkout.dir, 'apps/podinfo.yaml'), 'image: repo/podinfo:1.0.1\n');
    expect(await workspace.diff(checkout)).toContain('+image: repo/podinfo:1.0.1');
    const message = 'deploy(dev): podinfo\n\n# not a comment to strip\n\nDrawbridge-Environment: dev';
    const sha = await workspace.commit(checkout, message);
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await workspace.push(checkout, { branch: 'dev', expected: checkout.head })).toBe('pushed');
    const [entry] = await remote.log('dev');
    expect(entry).toMatchObject({
      sha,
      parents: [checkout.head],
      authorName: AUTHOR.name,
      authorEmail: AUTHOR.email,
      committerName: AUTHOR.name,
      committerEmail: AUTHOR.email,
      committedAt: new Date('2026-01-02T03:04:05Z'),
    });
    expect(entry!.message.trim()).toBe(message);
    expect(await workspace.remoteHead('dev')).toBe(sha);
  });

  it('push is rejected when the remote moved and the person commit stays', async () => {
    const workspace = await open();
    await workspace.fetch();
    const checkout = await workspace.checkout('dev', 'dev');
    const theirs = await remote.commit('dev', { 'README.md': 'hello\n' });
    await writeFile(join(checkout.dir, 'apps/podinfo.yaml'), 'image: repo/podinfo:1.0.1\n');
    await workspace.commit(checkout, 'deploy');
    expect(await workspace.push(checkout, { branch: 'dev', expected: checkout.head })).toBe('rejected');
    expect(await remote.head('dev')).toBe(theirs);

    await workspace.fetch();
    const replanned = await workspace.checkout('dev', 'dev');
    expect(replanned.head).toBe(theirs);
    expect(await readFile(join(replanned.dir, 'apps/podinfo.yaml'), 'utf8')).toContain('1.0.0');
    await writeFile(join(replanned.dir, 'apps/podinfo.yaml'), 'image: repo/podinfo:1.0.1\n');
    await workspace.commit(replanned, 'deploy');
    expect(await workspace.push(replanned, { branch: 'dev', expected: replanned.head })).toBe('pushed');
    const log = await remote.log('dev');
    expect(log.map((e) => e.sha)).toContain(theirs);
    expect(log[0]!.parents).toEqual([theirs]);
  });

  it('lease: creates an absent branch, replaces only the expected head, rejects a moved one', async () => {
    const workspace = await open();
    const checkout = await workspace.checkout('main', 'prod');
    await writeFile(join(checkout.dir, 'apps/podinfo.yaml'), 'image: repo/podinfo:2.0.0\n');
    const first = await workspace.commit(checkout, 'deploy 2.0.0');
    expect(
      await workspace.push(checkout, { branch: 'drawbridge/prod', expected: undefined, lease: true }),
    ).toBe('pushed');
    expect(await remote.head('drawbridge/prod')).toBe(first);

    // Rebuilt on a newer environment head: the lease replaces our own earlier PR commit.
    await remote.commit('main', { 'README.md': 'main moved\n' });
    await workspace.fetch();
    const rebuilt = await workspace.checkout('main', 'prod');
    await writeFile(join(rebuilt.dir, 'apps/podinfo.yaml'), 'image: repo/podinfo:2.0.1\n');
    const second = await workspace.commit(rebuilt, 'deploy 2.0.1');
    const expected = await workspace.remoteHead('drawbridge/prod');
    expect(await workspace.push(rebuilt, { branch: 'drawbridge/prod', expected, lease: true })).toBe(
      'pushed',
    );
    expect(await remote.head('drawbridge/prod')).toBe(second);

    // A reviewer pushed to the PR branch meanwhile: the lease fails, their commit stays.
    const reviewer = await remote.commit('drawbridge/prod', { 'NOTE.md': 'reviewed\n' });
    const third = await workspace.checkout('main', 'prod');
    await writeFile(join(third.dir, 'apps/podinfo.yaml'), 'image: repo/podinfo:2.0.2\n');
    await workspace.commit(third, 'deploy 2.0.2');
    expect(await workspace.push(third, { branch: 'drawbridge/prod', expected: second, lease: true })).toBe(
      'rejected',
    );
    expect(await remote.head('drawbridge/prod')).toBe(reviewer);
    // Without a lease, pushing where the target must not exist is rejected too.
    expect(await workspace.push(third, { branch: 'drawbridge/prod', expected: undefined })).toBe('rejected');
  });

  it('an absent branch checks out empty and its first commit has no parent', async () => {
    const workspace = await open();
    const checkout = await workspace.checkout('fresh', 'fresh');
    expect(checkout.head).toBeUndefined();
    expect(await readdir(checkout.dir)).toEqual(['.git']);
    await writeFile(join(checkout.dir, 'a.yaml'), 'a: 1\n');
    expect(await workspace.diff(checkout)).toContain('+a: 1');
    const sha = await workspace.commit(checkout, 'first');
    expect(await workspace.push(checkout, { branch: 'fresh', expected: undefined })).toBe('pushed');
    const [entry] = await remote.log('fresh');
    expect(entry).toMatchObject({ sha, parents: [] });
  });

  it('different keys work concurrently: checkouts, commits and pushes to their own branches', async () => {
    await remote.commit('staging', { 'apps/podinfo.yaml': 'image: repo/podinfo:1.0.0\n' });
    const workspace = await open();
    const branches = ['main', 'dev', 'staging'];
    const shas = await Promise.all(
      branches.map(async (branch) => {
        const checkout = await workspace.checkout(branch, `env-${branch}`);
        await writeFile(join(checkout.dir, 'apps/podinfo.yaml'), `image: repo/podinfo:${branch}\n`);
        const sha = await workspace.commit(checkout, `deploy ${branch}`);
        expect(await workspace.push(checkout, { branch, expected: checkout.head })).toBe('pushed');
        return sha;
      }),
    );
    for (const [i, branch] of branches.entries()) expect(await remote.head(branch)).toBe(shas[i]);
  });

  it('throws a GitError with a hint when the remote does not exist', async () => {
    const error = await openWorkspace({
      url: `${remote.url}-missing`,
      workdir: remote.workdir,
      author: AUTHOR,
      env: isolatedGitEnv(),
      logger: silentLogger(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).hint).toMatch(/git\.url/);
  });
});
