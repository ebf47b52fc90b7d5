/**
 * Push without force. A rejection because the remote moved (non-fast-forward, fetch first,
 * a lease that no longer holds, a lost race for the ref on the server) is an outcome, not an
 * error: the caller re-plans on the new head. Anything else (auth, network, hooks) throws.
 */
import type { Checkout } from './workspace.js';
import { readWorktreeHead } from './head-file.js';
import { GitProcessError } from './run.js';

type Git = (cwd: string, args: readonly string[]) => Promise<string>;

export interface PushTarget {
  readonly branch: string;
  /** The remote sha the commit was built on; undefined when the target must not exist yet. */
  readonly expected: string | undefined;
  /**
   * `--force-with-lease=<branch>:<expected>`: replace the target only if it is still exactly
   * `expected`. Only for drawbridge's own push.branch, which is rebuilt on the environment head.
   */
  readonly lease?: boolean;
}

export interface PushOutcome {
  readonly result: 'pushed' | 'rejected';
  readonly sha: string;
  readonly detail?: string;
}

const REJECTED =
  /\[rejected\][^\n]*|\[remote rejected\][^\n]*(?:cannot lock ref|failed to update ref|incorrect old value|reference already exists|stale info)[^\n]*/i;

export async function pushHead(git: Git, checkout: Checkout, target: PushTarget): Promise<PushOutcome> {
  const sha = await readWorktreeHead(git, checkout.dir);
  const ref = `refs/heads/${target.branch}`;
  const lease = target.lease ? [`--force-with-lease=${ref}:${target.expected ?? ''}`] : [];
  try {
    await git(checkout.dir, ['push', '--porcelain', '--no-verify', ...lease, 'origin', `${sha}:${ref}`]);
    return { result: 'pushed', sha };
  } catch (error) {
    if (!(error instanceof GitProcessError)) throw error;
    const match = REJECTED.exec(`${error.stdout}\n${error.stderr}`);
    if (match === null) throw error;
    return { result: 'rejected', sha, detail: match[0].trim() };
  }
}
