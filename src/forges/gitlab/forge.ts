/**
 * The Forge seam on GitLab. Labels and reviewers go with the create call (reviewers as user
 * ids); GitLab has no team reviewers and says so. A draft is GitLab's `Draft:` title prefix,
 * kept when drawbridge rewrites the title. Auto-merge is GitLab's own ("merge when the
 * pipeline succeeds"), pinned to the commit drawbridge saw; a squash carries the head
 * commit's message, since GitLab's default squash message is the title alone and would drop
 * drawbridge's trailers. Rebasing is a project setting in GitLab, not a per-merge choice.
 */
import { ForgeError } from '../../errors.js';
import type { AutoMergeOutcome, Forge, MergeMethod, PullRequest } from '../../forge.js';
import { printable } from '../../log/printable.js';
import { BODY_MAX, isCommitSha } from '../checks.js';
import type { GitLabApi } from './api.js';
import { gitLabListing } from './listing.js';
import { draftTitle, fromGitLab, type GitLabMergeRequest } from './merge-request.js';
import { reviewerIds } from './reviewers.js';
import { commitChecks } from './statuses.js';

/** GitLab's limits: titles 255 characters, descriptions 1,048,576, notes 1,000,000. */
export const TITLE_MAX = 255;
export const DESCRIPTION_MAX = 1_048_576;
export const NOTE_MAX = 1_000_000;

export function gitLabForge(api: GitLabApi, repository: string): Forge {
  const listing = gitLabListing(api, repository);
  const context = (pullRequest?: number): Record<string, unknown> => ({
    repository,
    ...(pullRequest === undefined ? {} : { pullRequest }),
  });
  const refuse = (field: string, value: unknown, expected: string): never => {
    throw new ForgeError(`gitlab answered a merge request with another ${field} than asked (${expected})`, {
      retryable: false,
      hint: 'drawbridge ignores the answer; check the forge, or a proxy in between',
      context: { ...context(), value: printable(String(value), 80) },
    });
  };
  const checkLength = (field: string, text: string, max: number, pullRequest?: number): void => {
    if (text.length > max)
      throw new ForgeError(
        `the merge request ${field} is ${text.length} characters; GitLab takes at most ${max}`,
        {
          retryable: false,
          hint: `shorten the ${field} template`,
          context: context(pullRequest),
        },
      );
  };
  const sameNumber = (mr: GitLabMergeRequest, number: number): GitLabMergeRequest => {
    if (mr.pullRequest.number !== number) refuse('number', mr.pullRequest.number, `!${number}`);
    return mr;
  };

  async function commitMessage(sha: string): Promise<string> {
    if (!isCommitSha(sha))
      throw new ForgeError('a commit message was asked for something other than a full commit id', {
        retryable: false,
        context: { ...context(), value: printable(sha, 80) },
      });
    const answer = await api.getCommit(sha);
    const { id, message } = (answer ?? {}) as Record<string, unknown>;
    if (
      typeof id !== 'string' ||
      id.toLowerCase() !== sha ||
      typeof message !== 'string' ||
      message.length > BODY_MAX
    )
      throw new ForgeError(`gitlab answered another commit, or no message, for ${sha}`, {
        retryable: false,
        hint: 'drawbridge ignores the answer; check the forge, or a proxy in between',
        context: context(),
      });
    return message;
  }

  return {
    type: 'gitlab',
    maxBodyLength: BODY_MAX, // GitLab's limit, the largest any forge takes
    listOpen: (base) => listing.listOpen(base),
    listClosed: (base, limit) => listing.listClosed(base, limit),

    async open(request) {
      if (request.teamReviewers.length > 0)
        throw new ForgeError('GitLab has no team reviewers', {
          retryable: false,
          hint: 'name people under reviewers, or require a group’s approval with CODEOWNERS or a merge request approval rule',
          context: context(),
        });
      const title = request.draft ? draftTitle(request.title) : request.title;
      checkLength('title', title, TITLE_MAX);
      checkLength('description', request.body, DESCRIPTION_MAX);
      const ids = await reviewerIds(api, request.reviewers, repository);
      const { pullRequest } = fromGitLab(
        await api.createMergeRequest({
          sourceBranch: request.head,
          targetBranch: request.base,
          title,
          description: request.body,
          labels: request.labels,
          reviewerIds: ids,
        }),
      );
      if (pullRequest.head !== request.head || pullRequest.base !== request.base)
        refuse(
          'branches',
          `${pullRequest.head} -> ${pullRequest.base}`,
          `${request.head} -> ${request.base}`,
        );
      return pullRequest;
    },

    async update(pullRequest, content) {
      checkLength('description', content.body, DESCRIPTION_MAX, pullRequest.number);
      // Read it first: a draft's title keeps its prefix, which drawbridge's title does not carry.
      const current = sameNumber(
        fromGitLab(await api.getMergeRequest(pullRequest.number)),
        pullRequest.number,
      );
      const title = current.draft ? draftTitle(content.title) : content.title;
      checkLength('title', title, TITLE_MAX, pullRequest.number);
      const answer = await api.editMergeRequest(pullRequest.number, { title, description: content.body });
      return sameNumber(fromGitLab(answer), pullRequest.number).pullRequest;
    },

    async close(pullRequest, comment, body) {
      checkLength('comment', comment, NOTE_MAX, pullRequest.number);
      checkLength('description', body, DESCRIPTION_MAX, pullRequest.number);
      await api.addNote(pullRequest.number, comment);
      await api.editMergeRequest(pullRequest.number, { stateEvent: 'close', description: body });
    },

    async autoMerge(pullRequest, method) {
      if (method === 'rebase')
        throw new ForgeError('GitLab does not rebase per merge request', {
          retryable: false,
          hint: "GitLab's merge method is a project setting (Settings → Merge requests → Merge method: fast-forward or semi-linear); set the merge method here to merge or squash",
          context: context(pullRequest.number),
        });
      const squashCommitMessage = method === 'squash' ? await commitMessage(pullRequest.headSha) : undefined;
      try {
        const answer = await api.enableAutoMerge(pullRequest.number, {
          squash: method === 'squash',
          sha: pullRequest.headSha,
          ...(squashCommitMessage === undefined ? {} : { squashCommitMessage }),
        });
        return outcome(sameNumber(fromGitLab(answer), pullRequest.number), pullRequest, method);
      } catch (error) {
        // Set already, or merged already: GitLab refuses to merge it "again", which is fine.
        if (!(error instanceof ForgeError) || error.status !== 405) throw error;
        const current = sameNumber(
          fromGitLab(await api.getMergeRequest(pullRequest.number)),
          pullRequest.number,
        );
        if (current.pullRequest.state === 'merged') return 'merged';
        if (current.pullRequest.state === 'open' && current.autoMerge) return 'enabled';
        throw error;
      }
    },

    commitMessage,
    commitChecks: (sha) => commitChecks(api, repository, sha),
  };

  function outcome(mr: GitLabMergeRequest, pullRequest: PullRequest, method: MergeMethod): AutoMergeOutcome {
    if (mr.pullRequest.state === 'merged') return 'merged';
    if (mr.pullRequest.state === 'open' && mr.autoMerge) return 'enabled';
    throw new ForgeError(`GitLab did not set auto-merge on !${pullRequest.number}`, {
      retryable: true,
      hint: 'GitLab answered without merge_when_pipeline_succeeds; check that the project runs pipelines for merge requests',
      context: { ...context(pullRequest.number), method },
    });
  }
}
