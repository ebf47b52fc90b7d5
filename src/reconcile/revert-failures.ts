/**
 * `onFailure.revert`: when a named context reports failure for a commit drawbridge made on the
 * environment's branch, that commit is reverted with `git revert` and pushed (never forced),
 * so the revert rule refuses its tags from then on. The commits looked at are drawbridge's
 * latest update of each image (the ones still in effect), newest first. Never a commit that
 * is not drawbridge's; never one that was reverted before (even if a person undid that
 * revert); never when a later commit that is not drawbridge's changed a file the commit
 * changed (a person's edit would be undone): that is reported and left alone.
 */
import type { EnvironmentConfig } from '../config/schema.js';
import type { CommitCheck } from '../forge.js';
import type { BranchHistory } from '../git/history.js';
import type { Workspace } from '../git/workspace.js';
import type { Logger } from '../log/logger.js';
import { checkMatches } from './health.js';

/** Drawbridge commits whose statuses are read per pass, newest first. */
export const MAX_COMMITS_CHECKED = 5;

export interface RevertRecord {
  /** Drawbridge's commit whose deployment failed. */
  readonly commit: string;
  readonly context: string;
  /** When the failure was reported. */
  readonly at: Date;
  /** The images (and the tags) that commit brought. */
  readonly images: readonly { readonly image: string; readonly tag: string }[];
  /** `blocked`: left alone (see `reason`); `rejected`: the remote moved, the next pass tries again. */
  readonly result: 'reverted' | 'blocked' | 'rejected' | 'dry-run';
  /** The revert commit, when pushed. */
  readonly revert?: string;
  readonly reason?: string;
}

export interface RevertInput {
  readonly environment: string;
  readonly settings: EnvironmentConfig;
  readonly head: string;
  readonly history: BranchHistory;
  readonly checks: (sha: string) => Promise<readonly CommitCheck[]>;
  readonly workspace: Workspace;
  readonly logger: Logger;
  readonly dryRun: boolean;
}

export async function revertFailures(input: RevertInput): Promise<RevertRecord[]> {
  const contexts = input.settings.onFailure?.revert ?? [];
  if (contexts.length === 0) return [];
  const records: RevertRecord[] = [];
  let head = input.head;
  for (const candidate of candidatesOf(input.history)) {
    const failure = failureOf(await input.checks(candidate.commit), contexts);
    if (failure === undefined) continue;
    const base = {
      commit: candidate.commit,
      context: failure.context,
      at: failure.at,
      images: candidate.images,
    };
    const blocker = await laterEdit(input.workspace, candidate.commit, head, input.environment);
    if (blocker !== undefined) {
      const reason = `commit ${blocker.commit} after it, not drawbridge's, changes ${blocker.file}`;
      input.logger.warn(
        { commit: candidate.commit, context: failure.context, blockedBy: blocker.commit, file: blocker.file },
        'deployment failed, revert left to a person: a later commit changes the same file',
      );
      records.push({ ...base, result: 'blocked', reason });
      continue;
    }
    if (input.dryRun) {
      records.push({ ...base, result: 'dry-run' });
      continue;
    }
    const outcome = await revertAndPush(input, candidate.commit, head);
    records.push({ ...base, ...outcome });
    if (outcome.revert !== undefined) head = outcome.revert;
    input.logger.warn(
      { commit: candidate.commit, context: failure.context, result: outcome.result, revert: outcome.revert },
      outcome.result === 'reverted'
        ? 'deployment failed, commit reverted'
        : 'deployment failed, revert not pushed',
    );
    if (outcome.result === 'rejected') break;
  }
  return records;
}

interface Candidate {
  readonly commit: string;
  readonly at: Date;
  readonly images: { image: string; tag: string }[];
}

/** Drawbridge's latest update of each image, by commit, newest first, never reverted before. */
function candidatesOf(history: BranchHistory): Candidate[] {
  const byCommit = new Map<string, Candidate>();
  for (const [image, update] of history.lastUpdates) {
    if (history.revertedCommits?.has(update.commit)) continue;
    const candidate = byCommit.get(update.commit) ?? { commit: update.commit, at: update.at, images: [] };
    candidate.images.push({ image, tag: update.tag });
    byCommit.set(update.commit, candidate);
  }
  return [...byCommit.values()].sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, MAX_COMMITS_CHECKED);
}

/** The first named context with a failure among the commit's checks. */
function failureOf(checks: readonly CommitCheck[], contexts: readonly string[]): CommitCheck | undefined {
  for (const context of contexts) {
    const failed = checks.find((check) => checkMatches(check, context) && check.state === 'failure');
    if (failed !== undefined) return failed;
  }
  return undefined;
}

/**
 * A commit after `commit` (up to `head`) that is not drawbridge's for this environment and
 * changes a file `commit` changed. Both lists come from git's output, never the command line.
 */
async function laterEdit(
  workspace: Workspace,
  commit: string,
  head: string,
  environment: string,
): Promise<{ commit: string; file: string } | undefined> {
  if (commit === head) return undefined;
  const changed = new Set(
    (
      await workspace.git([
        'diff-tree',
        '-r',
        '--no-commit-id',
        '--name-only',
        '-z',
        '--root',
        '-m',
        '--first-parent',
        commit,
      ])
    )
      .split('\0')
      .filter(Boolean),
  );
  const log = await workspace.git([
    'log',
    '-z',
    '--name-only',
    '--format=%x1e%H%x1f%(trailers:key=Drawbridge-Environment,valueonly,separator=%x2c)%x1f',
    `${commit}..${head}`,
    '--',
  ]);
  for (const record of log.split('\x1e')) {
    const [sha = '', environments = '', names = ''] = record.split('\x1f');
    if (sha === '') continue;
    if (environments.trim() === environment) continue; // drawbridge's own later update
    const file = names.split('\0').find((name) => changed.has(name.replace(/^\n/, '')));
    if (file !== undefined) return { commit: sha, file: file.replace(/^\n/, '') };
  }
  return undefined;
}

async function revertAndPush(
  input: RevertInput,
  commit: string,
  head: string,
): Promise<Pick<RevertRecord, 'result' | 'revert' | 'reason'>> {
  const { workspace, settings } = input;
  const parents = (await workspace.git(['log', '-1', '--format=%P', commit, '--'])).trim().split(' ');
  const checkout = await workspace.checkout(settings.branch, `revert-${input.environment}`);
  if (checkout.head !== head) return { result: 'rejected', reason: 'the branch moved while reading it' };
  const reverted = await workspace.revert(checkout, commit, parents.length > 1);
  if (reverted.kind === 'conflict')
    return {
      result: 'blocked',
      reason: 'the revert does not apply on the branch head (a later commit changed the same lines)',
    };
  const pushed = await workspace.push(checkout, { branch: settings.branch, expected: head });
  return pushed === 'pushed'
    ? { result: 'reverted', revert: reverted.sha }
    : { result: 'rejected', reason: 'the remote moved; the next pass tries again' };
}
