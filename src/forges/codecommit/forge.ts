/**
 * The Forge seam on CodeCommit. CodeCommit has no labels, no requested reviewers, no drafts
 * and no auto-merge: asking for the first three is refused with what to do instead (approval
 * rules decide who must approve), and auto-merge is drawbridge merging once the rules are
 * satisfied (merge.ts). Titles and descriptions are refused before the call when they exceed
 * CodeCommit's limits, so the error says which and by how much.
 */
import { ForgeError } from '../../errors.js';
import type { Forge, NewPullRequest, PullRequest, PullRequestContent } from '../../forge.js';
import type { Logger } from '../../log/logger.js';
import { BODY_MAX, isCommitSha } from '../checks.js';
import type { CodeCommitApi } from './api.js';
import { codeCommitListing } from './listing.js';
import { codeCommitAutoMerge } from './merge.js';
import { refuse, targetOf, toPullRequest, type RepositoryScope } from './pull-request.js';

export const TITLE_MAX = 150;
export const DESCRIPTION_MAX = 10_240;
export const COMMENT_MAX = 10_240;

export function codeCommitForge(api: CodeCommitApi, scope: RepositoryScope, logger: Logger): Forge {
  const listing = codeCommitListing(api, scope);
  const autoMerge = codeCommitAutoMerge(api, scope);
  const checked = (answer: Parameters<typeof toPullRequest>[0], number: number): PullRequest => {
    const pull = toPullRequest(answer, scope);
    if (pull.number !== number) refuse('number', pull.number, `pull request ${number}`);
    return pull;
  };

  return {
    type: 'codecommit',
    maxBodyLength: DESCRIPTION_MAX,
    listOpen: (base) => listing.listOpen(base),
    listClosed: (base, limit) => listing.listClosed(base, limit),

    async open(request) {
      refuseUnsupported(request, scope);
      checkLength('title', request.title, TITLE_MAX, scope);
      checkLength('description', request.body, DESCRIPTION_MAX, scope);
      const pull = toPullRequest(
        await api.createPullRequest({
          title: request.title,
          description: request.body,
          source: request.head,
          destination: request.base,
        }),
        scope,
      );
      if (pull.head !== request.head || pull.base !== request.base)
        refuse('branches', `${pull.head} -> ${pull.base}`, `${request.head} -> ${request.base}`);
      return pull;
    },

    async update(pullRequest, content: PullRequestContent) {
      checkLength('title', content.title, TITLE_MAX, scope);
      checkLength('description', content.body, DESCRIPTION_MAX, scope);
      let answer;
      if (content.title !== pullRequest.title)
        answer = await api.updateTitle(pullRequest.number, content.title);
      if (content.body !== pullRequest.body)
        answer = await api.updateDescription(pullRequest.number, content.body);
      return answer === undefined ? pullRequest : checked(answer, pullRequest.number);
    },

    async close(pullRequest, comment, body) {
      checkLength('comment', comment, COMMENT_MAX, scope);
      checkLength('description', body, DESCRIPTION_MAX, scope);
      const answer = await api.getPullRequest(pullRequest.number);
      const current = checked(answer, pullRequest.number);
      if (current.state !== 'open') return; // closed or merged meanwhile: nothing left to do
      // A comment is on a pair of commits: the target's tip and the source's.
      const before = targetOf(answer, scope).destinationCommit;
      if (!isCommitSha(before)) refuse('destination commit', before, 'a full commit id');
      if (before === current.headSha)
        logger.debug(
          { repository: scope.repository, pullRequest: pullRequest.number },
          'codecommit: the branches point at one commit, so the closing comment is left out',
        );
      else await api.postComment(pullRequest.number, { before, after: current.headSha }, comment);
      // The description first: CodeCommit refuses to edit a closed pull request.
      await api.updateDescription(pullRequest.number, body);
      await api.closePullRequest(pullRequest.number);
    },

    autoMerge,

    async commitMessage(sha) {
      if (!isCommitSha(sha))
        throw new ForgeError('a commit message was asked for with an invalid commit id', {
          retryable: false,
          context: { repository: scope.repository },
        });
      const commit = await api.getCommit(sha);
      if (commit?.commitId !== sha) refuse('commit id', commit?.commitId, `the commit ${sha}`);
      if (typeof commit.message !== 'string' || commit.message.length > BODY_MAX)
        refuse('commit message', '', 'text');
      return commit.message;
    },
  };
}

function refuseUnsupported(request: NewPullRequest, scope: RepositoryScope): void {
  const asked = [
    request.labels.length > 0 ? 'labels' : undefined,
    request.reviewers.length > 0 ? 'reviewers' : undefined,
    request.teamReviewers.length > 0 ? 'teamReviewers' : undefined,
    request.draft ? 'draft' : undefined,
  ].filter((name) => name !== undefined);
  if (asked.length === 0) return;
  throw new ForgeError(
    `CodeCommit pull requests have no labels, requested reviewers or drafts: pullRequest.${asked.join(', pullRequest.')} cannot be set`,
    {
      retryable: false,
      hint: 'remove them from the config; on CodeCommit, approval rules decide who must approve: associate an approval rule template with the repository',
      context: { repository: scope.repository },
    },
  );
}

function checkLength(field: string, text: string, max: number, scope: RepositoryScope): void {
  if (text.length <= max) return;
  throw new ForgeError(`the pull request ${field} is ${text.length} characters; CodeCommit allows ${max}`, {
    retryable: false,
    hint:
      field === 'title'
        ? 'shorten the pullRequest title template'
        : 'fewer images per pull request, or a shorter pullRequest template',
    context: { repository: scope.repository },
  });
}
