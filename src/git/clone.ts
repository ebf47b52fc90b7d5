/**
 * The persistent clone of one remote: check that what sits in the workdir is really our
 * clone (a git repository of its own, origin = our URL, refs pointing at readable commits)
 * and clone afresh when it is not.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pathExists } from './path-exists.js';
import { GitProcessError } from './run.js';

export type Git = (cwd: string, args: readonly string[]) => Promise<string>;

/** Why an existing folder cannot be used; undefined when it is our healthy clone. */
export async function inspectClone(git: Git, dir: string, url: string): Promise<string | undefined> {
  if (!(await pathExists(dir))) return 'missing';
  let gitDir: string;
  try {
    gitDir = (await git(dir, ['rev-parse', '--absolute-git-dir'])).trim();
  } catch {
    return 'not a git repository';
  }
  const own = await realpath(join(dir, '.git')).catch(() => undefined);
  if (own === undefined || (await realpath(gitDir).catch(() => gitDir)) !== own) {
    return 'not a git repository of its own';
  }
  const origin = await git(dir, ['config', '--get', 'remote.origin.url']).catch(() => '');
  if (origin.trim() !== url) return 'origin points to another remote';
  try {
    // Parses every ref's commit: a missing or corrupt object fails here.
    await git(dir, ['rev-list', '--no-walk', '--all']);
    await git(dir, ['rev-parse', '--verify', '--quiet', 'HEAD^{tree}']).catch((error: unknown) => {
      // An empty clone has an unborn HEAD (exit 1); anything else is damage.
      if (!(error instanceof GitProcessError) || error.exitCode !== 1) throw error;
    });
  } catch {
    return 'broken objects or refs';
  }
  return undefined;
}

/** Clones into a temporary folder and renames it into place, so a crash leaves no half clone. */
export async function cloneInto(git: Git, url: string, dir: string): Promise<void> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const temporary = join(parent, `.${basename(dir)}.cloning-${randomBytes(4).toString('hex')}`);
  try {
    const config = LOCAL_CONFIG.flatMap(([key, value]) => ['--config', `${key}=${value}`]);
    await git(parent, [
      'clone',
      '--no-checkout',
      '--no-tags',
      '--origin',
      'origin',
      ...config,
      '--',
      url,
      temporary,
    ]);
    await rename(temporary, dir);
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

/** Byte-exact files whatever the user's global config says; no tags; no background gc. */
const LOCAL_CONFIG: readonly (readonly [string, string])[] = [
  ['core.autocrlf', 'false'],
  ['core.safecrlf', 'false'],
  ['core.eol', 'lf'],
  ['remote.origin.tagOpt', '--no-tags'],
  ['gc.autoDetach', 'false'],
  ['advice.detachedHead', 'false'],
];
