/**
 * `onFailure.revert`: when a named context reports failure for a commit drawbridge made on the
 * environment's branch, that commit is reverted with `git revert` and pushed (never forced),
 * so the revert rule refuses its tags from then on. The commits looked at are drawbridge's
 * latest update of each image (the ones still in effect), newest first. Never a commit that
 * is not drawbridge's; never one that was reverted before (even if a person undid that
 * revert); never when a later commit that is not drawbridge's changed a file the commit
 * changed (a person's edit would be undone): that is reported and left alone.
 */
import type { EnvironmentConfig, PullRequestConfig } from '../config/schema.js';
import type { CommitCheck, Forge, PullRequest } from '../forge.js';
import type { BranchHistory } from '../git/history.js';
import type { Checkout, Workspace } from '../git/workspace.js';
import type { Logger } from '../log/logger.js';
import { checkMatches } from './health.js';
import { CLOSED_READ } from './pull-requests.js';

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
  /**
   * `blocked`: left alone (see `reason`); `rejected`: the remote moved, the next pass tries
   * again; `proposed`: the revert waits in a pull request (push.pullRequest environments).
   */
  readonly result: 'reverted' | 'blocked' | 'rejected' | 'dry-run' | 'proposed';
  /** The revert commit, when pushed. */
  readonly revert?: string;
  readonly reason?: string;
  /** The pull request that carries the revert. */
  readonly pullRequest?: { readonly number: number; readonly url: string };
}

/** An environment whose changes go through pull requests has its reverts proposed in one. */
export interface RevertThroughPullRequest {
  readonly forge: Forge;
  readonly settings: PullRequestConfig;
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
  readonly pullRequest?: RevertThroughPullRequest;
}

export async function revertFailures(input: RevertInput): Promise<RevertRecord[]> {
  const contexts = input.settings.onFailure?.revert ?? [];
  if (contexts.length === 0) return [];
  const records: RevertRecord[] = [];
  let head = input.head;
  const seen = new Set<string>();
  const lists = input.pullRequest
    ? pullRequestLists(input.pullRequest.forge, input.settings.branch)
    : undefined;
  for (const candidate of candidatesOf(input.history)) {
    // Through pull requests, the commit on the branch is the merge that brought it: Flux reports that one.
    const commit = input.pullRequest
      ? await landingOf(input.workspace, candidate.commit, head)
      : candidate.commit;
    if (seen.has(commit) || input.history.revertedCommits?.has(commit)) continue;
    seen.add(commit);
    const failure = failureOf(await input.checks(commit), contexts);
    if (failure === undefined) continue;
    const base = {
      commit,
      context: failure.context,
      at: failure.at,
      images: candidate.images,
    };
    const blocker = await laterEdit(input.workspace, commit, head, input.environment);
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
    const outcome =
      input.pullRequest && lists
        ? await proposeRevert(input, input.pullRequest, lists, { commit, head, failure })
        : await revertAndPush(input, commit, head);
    records.push({ ...base, ...outcome });
    if (outcome.revert !== undefined && outcome.result === 'reverted') head = outcome.revert;
    input.logger.warn(
      {
        commit,
        context: failure.context,
        result: outcome.result,
        revert: outcome.revert,
        pullRequest: outcome.pullRequest?.number,
      },
      outcome.result === 'reverted'
        ? 'deployment failed, commit reverted'
        : outcome.result === 'proposed'
          ? 'deployment failed, revert proposed in a pull request'
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
): Promise<Pick<RevertRecord, 'result' | 'revert' | 'reason' | 'pullRequest'>> {
  const reverted = await revertOnHead(input, commit, head);
  if ('result' in reverted) return reverted;
  const pushed = await input.workspace.push(reverted.checkout, {
    branch: input.settings.branch,
    expected: head,
  });
  return pushed === 'pushed'
    ? { result: 'reverted', revert: reverted.sha }
    : { result: 'rejected', reason: 'the remote moved; the next pass tries again' };
}

/** `git revert` of `commit` in a checkout of the branch at `head` (a merge against its first parent). */
async function revertOnHead(
  input: RevertInput,
  commit: string,
  head: string,
): Promise<{ checkout: Checkout; sha: string } | Pick<RevertRecord, 'result' | 'reason'>> {
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
  return { checkout, sha: reverted.sha };
}

/**
 * The commit on the branch's first-parent line that brought `commit`: itself when it is on
 * that line (a squash or a rebase), else the merge of its pull request.
 */
async function landingOf(workspace: Workspace, commit: string, head: string): Promise<string> {
  if (commit === head) return commit;
  const line = await workspace.git([
    'rev-list',
    '--first-parent',
    '--ancestry-path',
    '--reverse',
    `${commit}..${head}`,
  ]);
  const first = line.split('\n')[0]?.trim();
  if (!first) return commit;
  const [parent] = (await workspace.git(['log', '-1', '--format=%P', first, '--'])).trim().split(' ');
  return parent === commit ? commit : first;
}

/** drawbridge's branch for the revert of `commit` in `environment`: outside any push branch's names. */
function revertBranch(environment: string, commit: string): string {
  return `drawbridge-revert/${environment}/${commit.slice(0, 12)}`;
}

interface PullRequestLists {
  open(): Promise<readonly PullRequest[]>;
  closed(): Promise<readonly PullRequest[]>;
}

/** The pull requests into `base`, each list read once per pass and only when a revert asks for it. */
function pullRequestLists(forge: Forge, base: string): PullRequestLists {
  let open: Promise<readonly PullRequest[]> | undefined;
  let closed: Promise<readonly PullRequest[]> | undefined;
  return {
    open: () => (open ??= forge.listOpen(base)),
    closed: () => (closed ??= forge.listClosed(base, CLOSED_READ)),
  };
}

/**
 * The revert as a pull request into the environment's branch, with the environment's labels,
 * reviewers and auto-merge: opened once (pushed to a branch of its own, never forced), then
 * left to people and the forge. Merged, it is a revert in the branch like any other; closed
 * without merging, a person said no, and drawbridge never proposes it again.
 */
async function proposeRevert(
  input: RevertInput,
  through: RevertThroughPullRequest,
  lists: PullRequestLists,
  { commit, head, failure }: { commit: string; head: string; failure: CommitCheck },
): Promise<Pick<RevertRecord, 'result' | 'revert' | 'reason' | 'pullRequest'>> {
  const { workspace, settings } = input;
  const { forge } = through;
  const branch = revertBranch(input.environment, commit);
  const link = (pr: { number: number; url: string }) => ({ pullRequest: { number: pr.number, url: pr.url } });
  const open = (await lists.open()).find((pr) => pr.head === branch);
  if (open !== undefined) return { result: 'proposed', reason: 'its pull request is open', ...link(open) };
  const closed = (await lists.closed()).find((pr) => pr.head === branch);
  if (closed?.state === 'merged')
    return { result: 'reverted', reason: `pull request #${closed.number} merged`, ...link(closed) };
  if (closed !== undefined)
    return {
      result: 'blocked',
      reason: `revert pull request #${closed.number} closed without merging`,
      ...link(closed),
    };
  // A branch left by a pass that stopped before opening its pull request is used as it is.
  let sha = await workspace.remoteHead(branch);
  if (sha === undefined) {
    const reverted = await revertOnHead(input, commit, head);
    if ('result' in reverted) return reverted;
    if ((await workspace.push(reverted.checkout, { branch, expected: undefined })) !== 'pushed')
      return {
        result: 'rejected',
        reason: `branch ${branch} appeared on the remote; the next pass tries again`,
      };
    sha = reverted.sha;
  }
  const message = (await workspace.git(['log', '-1', '--format=%B', sha, '--'])).trim();
  const [title = `Revert ${commit.slice(0, 12)}`, ...rest] = message.split('\n');
  const pr = await forge.open({
    head: branch,
    base: settings.branch,
    title,
    body: `${rest.join('\n').trim()}\n\n${failure.context} reported failure for ${commit} at ${failure.at.toISOString()}: drawbridge proposes this revert (onFailure.revert).\n`,
    draft: through.settings.draft,
    labels: through.settings.labels ?? [],
    reviewers: through.settings.reviewers ?? [],
    teamReviewers: through.settings.teamReviewers ?? [],
  });
  if (through.settings.autoMerge !== undefined) await forge.autoMerge(pr, through.settings.autoMerge);
  return { result: 'proposed', revert: sha, ...link(pr) };
}
