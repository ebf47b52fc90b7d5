/**
 * Commit everything changed in a worktree: no hooks run (core.hooksPath off, --no-verify), the
 * message is kept verbatim (no `#` clean-up), author and committer come from the config and
 * signing is done by git itself when configured. The message reaches git through a file
 * (`-F`), never the command line: it grows with the fleet, and the kernel caps arguments.
 */
import { rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { GitConfig } from '../config/schema.js';
import { readWorktreeHead } from './head-file.js';
import type { Checkout } from './workspace.js';

type Git = (cwd: string, args: readonly string[], extraEnv?: NodeJS.ProcessEnv) => Promise<string>;

export interface CommitInput {
  readonly author: { readonly name: string; readonly email: string };
  readonly signing?: GitConfig['signing'];
  readonly date: Date;
  /** The synthetic base of an absent branch: a commit on it gets no parent. */
  readonly emptyBase: () => Promise<string>;
}

export async function commitAll(
  git: Git,
  checkout: Checkout,
  message: string,
  input: CommitInput,
): Promise<string | undefined> {
  await git(checkout.dir, ['add', '--all']);
  // Beside the worktree, not in it: the file must never be committed.
  const messageFile = join(dirname(checkout.dir), `${basename(checkout.dir)}.commit-message`);
  await writeFile(messageFile, `${message.trimEnd()}\n`);
  try {
    if (checkout.head === undefined) return await commitOnEmptyBase(git, checkout, messageFile, input);
    return await commitOnHead(git, checkout, messageFile, input);
  } finally {
    await rm(messageFile, { force: true });
  }
}

/** Hooks off, and auto maintenance left to the push that follows (workspace.ts). */
const QUIET = ['-c', 'core.hooksPath=/dev/null', '-c', 'maintenance.auto=false'];

async function commitOnHead(
  git: Git,
  checkout: Checkout,
  messageFile: string,
  input: CommitInput,
): Promise<string | undefined> {
  // The common case in one process: `git commit` with hooks off and the message verbatim.
  // It exits non-zero with "nothing to commit" when the tree did not change.
  // Auto maintenance is left to the push that follows: one process fewer here.
  const args = [
    ...QUIET,
    ...signingConfig(input.signing),
    'commit',
    '--quiet',
    '--no-verify',
    '--cleanup=verbatim',
    input.signing ? '-S' : '--no-gpg-sign',
    '-F',
    messageFile,
  ];
  try {
    await git(checkout.dir, args, identity(input.author, input.date));
  } catch (error) {
    if (await unchanged(git, checkout)) return undefined;
    throw error;
  }
  return readWorktreeHead(git, checkout.dir);
}

async function unchanged(git: Git, checkout: Checkout): Promise<boolean> {
  const status = await git(checkout.dir, [
    'status',
    '--porcelain',
    '-z',
    '--untracked-files=all',
    '--ignored=no',
  ]);
  return status === '';
}

/** A branch absent on the remote: its first commit gets no parent (the empty base is local only). */
async function commitOnEmptyBase(
  git: Git,
  checkout: Checkout,
  messageFile: string,
  input: CommitInput,
): Promise<string | undefined> {
  const tree = (await git(checkout.dir, ['write-tree'])).trim();
  const [head, headTree] = (await git(checkout.dir, ['rev-parse', 'HEAD', 'HEAD^{tree}'])).trim().split('\n');
  if (tree === headTree) return undefined;
  const onEmptyBase = head === (await input.emptyBase());
  const parents = head === undefined || onEmptyBase ? [] : ['-p', head];
  const args = [...signingConfig(input.signing), 'commit-tree', tree, ...parents, '-F', messageFile];
  args.push(input.signing ? '-S' : '--no-gpg-sign');
  const sha = (await git(checkout.dir, args, identity(input.author, input.date))).trim();
  await git(checkout.dir, ['update-ref', '--no-deref', '-m', 'drawbridge: commit', 'HEAD', sha]);
  return sha;
}

export type RevertResult =
  | { readonly kind: 'reverted'; readonly sha: string }
  /** The revert does not apply on the head (a later commit changed the same lines); nothing was left behind. */
  | { readonly kind: 'conflict' };

/**
 * `git revert` of `commit` on the checkout's head, with the message git writes (`Revert
 * "<subject>"`, `This reverts commit <sha>.`), hooks off, author and committer from the
 * config, signed as commits are. A merge (a pull request's) is reverted against its first
 * parent, the branch it was merged into.
 */
export async function revertCommit(
  git: Git,
  checkout: Checkout,
  commit: string,
  input: Omit<CommitInput, 'emptyBase'> & { readonly merge: boolean },
): Promise<RevertResult> {
  const args = [
    ...QUIET,
    ...signingConfig(input.signing),
    'revert',
    '--no-edit',
    input.signing ? '-S' : '--no-gpg-sign',
    ...(input.merge ? ['-m', '1'] : []),
    commit,
  ];
  try {
    await git(checkout.dir, args, identity(input.author, input.date));
  } catch (error) {
    // A conflict leaves the revert in progress: abort it, so the worktree is as it was.
    await git(checkout.dir, ['revert', '--abort']).catch(() => undefined);
    if ((await git(checkout.dir, ['rev-parse', 'HEAD'])).trim() === checkout.head)
      return { kind: 'conflict' };
    throw error;
  }
  return { kind: 'reverted', sha: await readWorktreeHead(git, checkout.dir) };
}

/** Unified diff of the working tree (new files included) against the checkout's HEAD. */
export async function stagedDiff(git: Git, checkout: Checkout): Promise<string> {
  await git(checkout.dir, ['add', '--all']);
  return git(checkout.dir, ['diff', '--cached', '--no-color', '--no-ext-diff', '--no-textconv', 'HEAD']);
}

function signingConfig(signing: GitConfig['signing']): string[] {
  if (signing === undefined) return [];
  const program = signing.format === 'ssh' ? 'gpg.ssh.program' : 'gpg.program';
  return [
    '-c',
    `gpg.format=${signing.format}`,
    '-c',
    `user.signingKey=${signing.key}`,
    ...(signing.program === undefined ? [] : ['-c', `${program}=${signing.program}`]),
  ];
}

/** Author and committer as git's environment: drawbridge's identity at `date`. */
export function identity(author: CommitInput['author'], date: Date): NodeJS.ProcessEnv {
  const when = `@${Math.floor(date.getTime() / 1000)} +0000`;
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
    GIT_AUTHOR_DATE: when,
    GIT_COMMITTER_DATE: when,
  };
}
