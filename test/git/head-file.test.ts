import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readWorktreeHead } from '../../src/git/head-file.js';
import { git } from '../helpers/git.js';

describe('readWorktreeHead', () => {
  let root: string;
  let calls: string[][];
  const run = async (cwd: string, args: readonly string[]): Promise<string> => {
    calls.push([...args]);
    return git(cwd, [...args]);
  };

  beforeEach(async () => {
    calls = [];
    root = await mkdtemp(join(tmpdir(), 'drawbridge-head-'));
    await git(root, ['init', '--quiet', '--initial-branch=main', 'repo']);
    await writeFile(join(root, 'repo', 'a.txt'), 'a\n');
    await git(join(root, 'repo'), ['add', 'a.txt']);
    await git(join(root, 'repo'), ['commit', '--quiet', '-m', 'a']);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('reads a detached worktree’s HEAD from its files, without a process', async () => {
    const repo = join(root, 'repo');
    const sha = (await git(repo, ['rev-parse', 'HEAD'])).trim();
    await git(repo, ['worktree', 'add', '--quiet', '--detach', join(root, 'wt'), sha]);
    expect(await readWorktreeHead(run, join(root, 'wt'))).toBe(sha);
    expect(calls).toEqual([]);
  });

  it('asks git when HEAD is symbolic or the folder is not a linked worktree', async () => {
    const repo = join(root, 'repo');
    const sha = (await git(repo, ['rev-parse', 'HEAD'])).trim();
    expect(await readWorktreeHead(run, repo)).toBe(sha);
    await git(repo, ['worktree', 'add', '--quiet', '-b', 'side', join(root, 'wt')]);
    expect(await readWorktreeHead(run, join(root, 'wt'))).toBe(sha);
    expect(calls).toHaveLength(2);
  });
});
