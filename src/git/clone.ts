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

/** A healthy clone's remote-tracking heads, by branch. */
export type RemoteHeads = ReadonlyMap<string, string>;

const TRACKING = 'refs/remotes/origin/';

/**
 * Why an existing folder cannot be used, or, for our healthy clone, its remote heads. Three
 * reads run side by side (each harmless wherever git lands) and are judged in order: the
 * folder's own git dir and HEAD's tree, origin, then every ref's commit (a missing or corrupt
 * object fails there), whose listing also gives the remote heads.
 */
export async function inspectClone(
  git: Git,
  dir: string,
  url: string,
): Promise<{ readonly problem: string } | { readonly heads: RemoteHeads }> {
  if (!(await pathExists(dir))) return { problem: 'missing' };
  const [head, origin, refs] = await Promise.allSettled([
    git(dir, ['rev-parse', '--absolute-git-dir', '--verify', '--quiet', 'HEAD^{tree}']),
    git(dir, ['config', '--get', 'remote.origin.url']),
    git(dir, ['for-each-ref', '--format=%(objectname) %(tree) %(refname)']),
  ]);
  const headError: unknown = head.status === 'rejected' ? head.reason : undefined;
  // rev-parse prints the git dir before it judges HEAD, so a failed run still names it.
  const headOut =
    head.status === 'fulfilled' ? head.value : headError instanceof GitProcessError ? headError.stdout : '';
  const gitDir = headOut.split('\n')[0]?.trim();
  if (!gitDir) return { problem: 'not a git repository' };
  const own = await realpath(join(dir, '.git')).catch(() => undefined);
  if (own === undefined || (await realpath(gitDir).catch(() => gitDir)) !== own) {
    return { problem: 'not a git repository of its own' };
  }
  if (origin.status !== 'fulfilled' || origin.value.trim() !== url) {
    return { problem: 'origin points to another remote' };
  }
  // An empty clone has an unborn HEAD (exit 1); anything else is damage.
  const unborn = headError instanceof GitProcessError && headError.exitCode === 1;
  if ((headError !== undefined && !unborn) || refs.status !== 'fulfilled') {
    return { problem: 'broken objects or refs' };
  }
  return { heads: remoteHeads(refs.value) };
}

/** Lines of `<sha> … <ref>` → branch → sha, for the remote-tracking refs only. */
export function remoteHeads(out: string): Map<string, string> {
  const heads = new Map<string, string>();
  for (const line of out.split('\n')) {
    const fields = line.split(' ');
    const sha = fields[0];
    const ref = fields[fields.length - 1];
    if (!sha || !ref?.startsWith(TRACKING) || ref === `${TRACKING}HEAD`) continue;
    heads.set(ref.slice(TRACKING.length), sha);
  }
  return heads;
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
