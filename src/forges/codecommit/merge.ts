/**
 * Auto-merge on CodeCommit, which has none: drawbridge merges itself, on the pass that finds
 * the pull request's approval rules satisfied for the commit it describes. Until then, and
 * when the branch moves or an approval is withdrawn between the check and the merge, the
 * answer is 'waiting' and a later pass tries again.
 *
 * A squash merge gets the squashed commits' own messages (oldest first), read with
 * GetCommit back to the merge base, so drawbridge's trailers land in the target branch.
 */
import type { PullRequestTarget } from '@aws-sdk/client-codecommit';
import { ForgeError } from '../../errors.js';
import type { AutoMergeOutcome, MergeMethod, PullRequest } from '../../forge.js';
import { BODY_MAX, isCommitSha } from '../checks.js';
import type { CodeCommitApi, MergeStrategy } from './api.js';
import { codeOf } from './errors.js';
import { refuse, targetOf, toPullRequest, type RepositoryScope } from './pull-request.js';

/** Commits a squash merge reads back for their messages; a longer branch is refused. */
export const SQUASH_COMMITS_MAX = 50;

const STRATEGY: Readonly<Record<MergeMethod, MergeStrategy>> = {
  merge: 'THREE_WAY',
  squash: 'SQUASH',
  rebase: 'FAST_FORWARD',
};
/** The pull request changed between the evaluation and the merge: try again next pass. */
const RACES = new Set([
  'PullRequestApprovalRulesNotSatisfiedException',
  'TipOfSourceReferenceIsDifferentException',
]);
const REVISION_ID = /^[\x21-\x7e]{1,256}$/;

export type AutoMerge = (pullRequest: PullRequest, method: MergeMethod) => Promise<AutoMergeOutcome>;

export function codeCommitAutoMerge(api: CodeCommitApi, scope: RepositoryScope): AutoMerge {
  return async (pullRequest, method) => {
    const answer = await api.getPullRequest(pullRequest.number);
    const current = toPullRequest(answer, scope);
    if (current.number !== pullRequest.number)
      refuse('number', current.number, `pull request ${pullRequest.number}`);
    if (current.state === 'merged') return 'merged';
    if (current.state === 'closed')
      throw new ForgeError(
        `CodeCommit pull request ${pullRequest.number} is closed: drawbridge does not merge it`,
        {
          retryable: false,
          context: { repository: scope.repository, pullRequest: pullRequest.number },
        },
      );
    // The branch moved since drawbridge read it: merge only the commit it describes.
    if (current.headSha !== pullRequest.headSha) return 'waiting';
    const revisionId = answer?.revisionId;
    if (typeof revisionId !== 'string' || !REVISION_ID.test(revisionId))
      refuse('revision id', revisionId, 'an id');
    const evaluation = await api.evaluateApprovalRules(pullRequest.number, revisionId);
    if (evaluation?.approved !== true) return 'waiting';

    const strategy = STRATEGY[method];
    const commitMessage =
      strategy === 'SQUASH' ? await squashMessage(api, current.headSha, targetOf(answer, scope)) : undefined;
    let merged: PullRequest;
    try {
      merged = toPullRequest(
        await api.merge(pullRequest.number, {
          strategy,
          sourceCommitId: current.headSha,
          ...(commitMessage === undefined ? {} : { commitMessage }),
        }),
        scope,
      );
    } catch (error) {
      if (error instanceof ForgeError && RACES.has(codeOf(error.cause))) return 'waiting';
      throw error;
    }
    if (merged.state !== 'merged') refuse('state after merging', merged.state, 'merged');
    return 'merged';
  };
}

/** The messages of the commits from the merge base to `head`, oldest first, one blank line apart. */
async function squashMessage(api: CodeCommitApi, head: string, target: PullRequestTarget): Promise<string> {
  const stops = new Set([target.mergeBase, target.destinationCommit].filter(isCommitSha));
  const messages: string[] = [];
  let sha: string | undefined = head;
  while (sha !== undefined && !stops.has(sha)) {
    if (messages.length === SQUASH_COMMITS_MAX)
      throw new ForgeError(
        `CodeCommit pull request branch has more than ${SQUASH_COMMITS_MAX} commits to squash`,
        {
          retryable: false,
          hint: 'use autoMerge: merge for long-lived branches, or squash it by hand',
          context: { commit: head },
        },
      );
    const commit = await api.getCommit(sha);
    if (commit?.commitId !== sha) refuse('commit id', commit?.commitId, `the commit ${sha}`);
    if (typeof commit.message !== 'string' || commit.message.length > BODY_MAX)
      refuse('commit message', '', 'text');
    messages.unshift(commit.message.trimEnd());
    const parent: unknown = commit.parents?.[0];
    if (parent !== undefined && !isCommitSha(parent)) refuse('parent commit', parent, 'a full commit id');
    sha = parent;
  }
  return `${messages.join('\n\n')}\n`;
}
