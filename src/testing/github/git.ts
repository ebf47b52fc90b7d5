/**
 * Read-only looks into the bare repository behind an emulated GitHub repository that
 * forge-remote.ts does not offer: every branch's head at once (a page of 100 pull requests
 * costs one git call, not 100) and one commit's details for the commits API.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface CommitDetails {
  readonly sha: string;
  readonly parents: readonly string[];
  readonly tree: string;
  readonly author: { readonly name: string; readonly email: string; readonly date: string };
  readonly committer: { readonly name: string; readonly email: string; readonly date: string };
  readonly message: string;
}

async function git(dir: string, env: NodeJS.ProcessEnv, args: readonly string[]): Promise<string> {
  const { stdout } = await exec('git', [...args], { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Branch name → commit, for every branch. */
export async function branchHeads(dir: string, env: NodeJS.ProcessEnv): Promise<Map<string, string>> {
  const out = await git(dir, env, ['for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads/']);
  const heads = new Map<string, string>();
  for (const line of out.split('\n')) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    heads.set(line.slice(space + 1).replace(/^refs\/heads\//, ''), line.slice(0, space));
  }
  return heads;
}

/** A commit named by its id or a branch; undefined when there is none. */
export async function commitDetails(
  dir: string,
  env: NodeJS.ProcessEnv,
  ref: string,
): Promise<CommitDetails | undefined> {
  if (ref.startsWith('-') || /[\s\0]/.test(ref)) return undefined;
  const format = ['%H', '%P', '%T', '%an', '%ae', '%aI', '%cn', '%ce', '%cI', '%B'].join('%x00');
  let out: string;
  try {
    out = await git(dir, env, ['log', '-1', `--format=${format}`, `${ref}^{commit}`, '--']);
  } catch {
    return undefined;
  }
  const [sha = '', parents = '', tree = '', an = '', ae = '', ad = '', cn = '', ce = '', cd = '', ...rest] =
    out.split('\0');
  return {
    sha,
    parents: parents.split(' ').filter(Boolean),
    tree,
    author: { name: an, email: ae, date: ad },
    committer: { name: cn, email: ce, date: cd },
    // GitHub shows a message without the newlines git ends it with.
    message: rest.join('\0').replace(/\n+$/, ''),
  };
}
