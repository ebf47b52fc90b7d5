/**
 * A worktree's detached HEAD read from its files instead of a `git rev-parse` process: the
 * worktree's `.git` file names its admin folder, whose `HEAD` holds the commit id. Anything
 * unexpected (a symbolic HEAD, a packed layout, an unreadable file) falls back to git itself.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

type Git = (cwd: string, args: readonly string[]) => Promise<string>;

const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

export async function readWorktreeHead(git: Git, dir: string): Promise<string> {
  const fromFiles = await headFromFiles(dir).catch(() => undefined);
  if (fromFiles !== undefined) return fromFiles;
  return (await git(dir, ['rev-parse', '--verify', 'HEAD'])).trim();
}

async function headFromFiles(dir: string): Promise<string | undefined> {
  const pointer = /^gitdir: (.+)$/m.exec(await readFile(join(dir, '.git'), 'utf8'))?.[1]?.trim();
  if (pointer === undefined) return undefined;
  const adminDir = isAbsolute(pointer) ? pointer : resolve(dir, pointer);
  const head = (await readFile(join(adminDir, 'HEAD'), 'utf8')).trim();
  return OBJECT_ID.test(head) ? head : undefined;
}
