/**
 * The CodeCommit calls the forge makes, one method each, for one repository: every failure
 * becomes a ForgeError naming the operation (errors.ts), and ListPullRequests is followed
 * through all its pages. Answers come back as the SDK parsed them; checking them is the
 * caller's job (pull-request.ts).
 */
import {
  CreatePullRequestCommand,
  EvaluatePullRequestApprovalRulesCommand,
  GetCommitCommand,
  GetPullRequestCommand,
  ListPullRequestsCommand,
  MergePullRequestByFastForwardCommand,
  MergePullRequestBySquashCommand,
  MergePullRequestByThreeWayCommand,
  PostCommentForPullRequestCommand,
  UpdatePullRequestDescriptionCommand,
  UpdatePullRequestStatusCommand,
  UpdatePullRequestTitleCommand,
  type CodeCommitClient,
  type Commit,
  type Evaluation,
  type PullRequest as CodeCommitPullRequest,
} from '@aws-sdk/client-codecommit';
import { toForgeError } from './errors.js';
import { refuse, type RepositoryScope } from './pull-request.js';

export type MergeStrategy = 'FAST_FORWARD' | 'SQUASH' | 'THREE_WAY';

export interface NewCodeCommitPullRequest {
  readonly title: string;
  readonly description: string;
  readonly source: string;
  readonly destination: string;
}

export interface MergeCall {
  readonly strategy: MergeStrategy;
  /** The source commit to merge; CodeCommit refuses when the branch has moved on. */
  readonly sourceCommitId: string;
  /** Squash and three-way only. */
  readonly commitMessage?: string;
}

export interface CodeCommitApi {
  getPullRequest(id: number): Promise<CodeCommitPullRequest | undefined>;
  /** Every page of ListPullRequests for the status. */
  listPullRequestIds(status: 'OPEN' | 'CLOSED'): Promise<string[]>;
  createPullRequest(request: NewCodeCommitPullRequest): Promise<CodeCommitPullRequest | undefined>;
  updateTitle(id: number, title: string): Promise<CodeCommitPullRequest | undefined>;
  updateDescription(id: number, description: string): Promise<CodeCommitPullRequest | undefined>;
  closePullRequest(id: number): Promise<CodeCommitPullRequest | undefined>;
  postComment(id: number, commits: { before: string; after: string }, content: string): Promise<void>;
  getCommit(sha: string): Promise<Commit | undefined>;
  evaluateApprovalRules(id: number, revisionId: string): Promise<Evaluation | undefined>;
  merge(id: number, call: MergeCall): Promise<CodeCommitPullRequest | undefined>;
}

const PAGE_SIZE = 100;
/** 1,000 open pull requests is CodeCommit's quota; closed ones are capped here at 100,000. */
const MAX_PAGES = 1000;
const PULL_REQUEST_ID = /^[1-9][0-9]{0,15}$/;

export function codeCommitApi(client: CodeCommitClient, scope: RepositoryScope): CodeCommitApi {
  const { repository } = scope;
  const call = async <T>(operation: string, id: number | undefined, send: () => Promise<T>): Promise<T> => {
    try {
      return await send();
    } catch (error) {
      throw toForgeError(error, { ...scope, operation, ...(id === undefined ? {} : { pullRequest: id }) });
    }
  };

  return {
    getPullRequest: async (id) =>
      (
        await call('GetPullRequest', id, () =>
          client.send(new GetPullRequestCommand({ pullRequestId: String(id) })),
        )
      ).pullRequest,

    async listPullRequestIds(status) {
      const ids = new Set<string>();
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const out = await call('ListPullRequests', undefined, () =>
          client.send(
            new ListPullRequestsCommand({
              repositoryName: repository,
              pullRequestStatus: status,
              maxResults: PAGE_SIZE,
              ...(nextToken === undefined ? {} : { nextToken }),
            }),
          ),
        );
        for (const id of out.pullRequestIds ?? []) {
          if (typeof id !== 'string' || !PULL_REQUEST_ID.test(id)) refuse('pull request id', id, 'a number');
          ids.add(id);
        }
        if (!out.nextToken) return [...ids];
        if (out.nextToken === nextToken) refuse('next token', out.nextToken, 'a new token for each page');
        nextToken = out.nextToken;
      }
      refuse('page count', MAX_PAGES, `at most ${MAX_PAGES} pages`);
    },

    createPullRequest: async (request) =>
      (
        await call('CreatePullRequest', undefined, () =>
          client.send(
            new CreatePullRequestCommand({
              title: request.title,
              description: request.description,
              targets: [
                {
                  repositoryName: repository,
                  sourceReference: request.source,
                  destinationReference: request.destination,
                },
              ],
            }),
          ),
        )
      ).pullRequest,

    updateTitle: async (id, title) =>
      (
        await call('UpdatePullRequestTitle', id, () =>
          client.send(new UpdatePullRequestTitleCommand({ pullRequestId: String(id), title })),
        )
      ).pullRequest,

    updateDescription: async (id, description) =>
      (
        await call('UpdatePullRequestDescription', id, () =>
          client.send(new UpdatePullRequestDescriptionCommand({ pullRequestId: String(id), description })),
        )
      ).pullRequest,

    closePullRequest: async (id) =>
      (
        await call('UpdatePullRequestStatus', id, () =>
          client.send(
            new UpdatePullRequestStatusCommand({ pullRequestId: String(id), pullRequestStatus: 'CLOSED' }),
          ),
        )
      ).pullRequest,

    async postComment(id, commits, content) {
      await call('PostCommentForPullRequest', id, () =>
        client.send(
          new PostCommentForPullRequestCommand({
            pullRequestId: String(id),
            repositoryName: repository,
            beforeCommitId: commits.before,
            afterCommitId: commits.after,
            content,
          }),
        ),
      );
    },

    getCommit: async (sha) =>
      (
        await call('GetCommit', undefined, () =>
          client.send(new GetCommitCommand({ repositoryName: repository, commitId: sha })),
        )
      ).commit,

    evaluateApprovalRules: async (id, revisionId) =>
      (
        await call('EvaluatePullRequestApprovalRules', id, () =>
          client.send(new EvaluatePullRequestApprovalRulesCommand({ pullRequestId: String(id), revisionId })),
        )
      ).evaluation,

    merge: async (id, merge) => {
      const input = {
        pullRequestId: String(id),
        repositoryName: repository,
        sourceCommitId: merge.sourceCommitId,
      };
      const message = merge.commitMessage === undefined ? {} : { commitMessage: merge.commitMessage };
      switch (merge.strategy) {
        case 'FAST_FORWARD':
          return (
            await call('MergePullRequestByFastForward', id, () =>
              client.send(new MergePullRequestByFastForwardCommand(input)),
            )
          ).pullRequest;
        case 'SQUASH':
          return (
            await call('MergePullRequestBySquash', id, () =>
              client.send(new MergePullRequestBySquashCommand({ ...input, ...message })),
            )
          ).pullRequest;
        case 'THREE_WAY':
          return (
            await call('MergePullRequestByThreeWay', id, () =>
              client.send(new MergePullRequestByThreeWayCommand({ ...input, ...message })),
            )
          ).pullRequest;
      }
    },
  };
}
