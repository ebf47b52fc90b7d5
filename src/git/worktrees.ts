/**
 * One detached worktree per key (environment), beside the persistent clone. Before every use
 * it is hard reset to the remote head and cleaned, and stale lock files of a killed git are
 * removed (the same key is never used twice at once, so any lock there is a leftover).
 */
import { mkdir, readFile, realpath, rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { pathExists } from './path-exists.js';
import { worktreeFolderName } from './workdir.js';

type Git = (cwd: string, args: readonly string[], extraEnv?: NodeJS.ProcessEnv) => Promise<string>;

export interface Worktrees {
  /** Worktree folder for `key`, reset to `head` (or to an empty tree when the branch is absent). */
  reset(key: string, head: string | undefined): Promise<string>;
  /** The synthetic parentless commit an absent branch starts from; never pushed. */
  emptyBase(): Promise<string>;
  /**
   * Records that this process left the worktree at `path` clean at `sha` (it just committed
   * every change there), so the next reset to `sha` needs no status walk, and a reset to
   * another commit no walk and no clean. Held in memory only:
   * a restarted process checks every worktree again.
   */
  markPristine(path: string, sha: string): void;
}

export interface WorktreesInput {
  readonly git: Git;
  /** The persistent clone. */
  readonly dir: string;
  /** Folder holding the worktrees. */
  readonly root: string;
  readonly serial: <T>(task: () => Promise<T>) => Promise<T>;
}

const FIXED_IDENTITY: NodeJS.ProcessEnv = {
  GIT_AUTHOR_NAME: 'drawbridge',
  GIT_AUTHOR_EMAIL: 'drawbridge@localhost',
  GIT_COMMITTER_NAME: 'drawbridge',
  GIT_COMMITTER_EMAIL: 'drawbridge@localhost',
  GIT_AUTHOR_DATE: '@0 +0000',
  GIT_COMMITTER_DATE: '@0 +0000',
};

export function createWorktrees(input: WorktreesInput): Worktrees {
  const { git, dir, root, serial } = input;
  let empty: Promise<string> | undefined;
  // Worktrees this instance created or verified, by folder: checked once, then only
  // for still being there (a vanished or replaced folder is verified, or rebuilt, again).
  const verified = new Map<string, string>();
  const pristine = new Map<string, string>();

  const emptyBase = (): Promise<string> => {
    empty ??= (async () => {
      const tree = (await git(dir, ['hash-object', '-t', 'tree', '-w', '/dev/null'])).trim();
      const args = ['commit-tree', '--no-gpg-sign', tree, '-m', 'drawbridge: empty base'];
      return (await git(dir, args, FIXED_IDENTITY)).trim();
    })();
    return empty;
  };

  const ownGitDir = async (path: string): Promise<string | undefined> => {
    const known = verified.get(path);
    if (known !== undefined && (await pathExists(join(path, '.git'))) && (await pathExists(known)))
      return known;
    verified.delete(path);
    // Read as git reads a linked worktree: its `.git` file names an admin folder under the
    // clone's .git/worktrees, whose `gitdir` file names this `.git` back.
    try {
      const pointer = /^gitdir: (.+)\n?$/.exec(await readFile(join(path, '.git'), 'utf8'))?.[1];
      if (pointer === undefined) return undefined;
      const [gitDir, admin] = await Promise.all([
        realpath(resolve(path, pointer)),
        realpath(join(dir, '.git', 'worktrees')),
      ]);
      const back = (await readFile(join(gitDir, 'gitdir'), 'utf8')).trim();
      const [backReal, own] = await Promise.all([
        realpath(resolve(gitDir, back)),
        realpath(join(path, '.git')),
      ]);
      if (!gitDir.startsWith(admin + sep) || backReal !== own) return undefined;
      verified.set(path, gitDir);
      return gitDir;
    } catch {
      return undefined;
    }
  };

  return {
    emptyBase,
    markPristine: (path, sha) => {
      pristine.set(path, sha);
    },
    reset: async (key, head) => {
      const path = join(root, worktreeFolderName(key));
      const base = head ?? (await emptyBase());
      const leftAt = pristine.get(path);
      pristine.delete(path);
      if (leftAt === base && verified.has(path)) return path;
      const gitDir = await ownGitDir(path);
      // Left clean at another commit by this process (it committed every change there): a
      // reset rewrites just the files that differ, with nothing untracked to clean.
      if (leftAt !== undefined && gitDir !== undefined) {
        await git(path, ['reset', '--hard', '--quiet', base]);
        return path;
      }
      if (gitDir !== undefined) {
        await Promise.all(['index.lock', 'HEAD.lock'].map((lock) => rm(join(gitDir, lock), { force: true })));
        // A worktree git cannot read (a damaged admin folder) is rebuilt below.
        const pristine = await isPristineAt(git, path, base).catch(() => undefined);
        if (pristine === true) return path;
        if (pristine === false) {
          await git(path, ['reset', '--hard', '--quiet', base]);
          await git(path, ['clean', '-ffdxq']);
          return path;
        }
        verified.delete(path);
      }
      await rm(path, { recursive: true, force: true });
      await mkdir(root, { recursive: true });
      await serial(async () => {
        await git(dir, ['worktree', 'prune']);
        await git(dir, ['worktree', 'add', '--force', '--detach', '--quiet', path, base]);
      });
      return path;
    },
  };
}

/** One walk instead of reset + clean in the common case: already at `base`, nothing changed, nothing extra. */
async function isPristineAt(git: Git, path: string, base: string): Promise<boolean> {
  const args = ['status', '--porcelain=v2', '-z', '--branch', '--untracked-files=all', '--ignored=matching'];
  const entries = (await git(path, args)).split('\0').filter((entry) => entry !== '');
  return entries.includes(`# branch.oid ${base}`) && entries.every((entry) => entry.startsWith('# '));
}
