/**
 * The GitLab calls the forge makes, each through the caller (retries, ForgeErrors) and each
 * answering `unknown`: what GitLab sent is outside data until merge-request.ts, listing.ts
 * or reviewers.ts has checked it.
 */
import type { GitLabCall } from './calls.js';
import type { GitLabClient } from './client.js';

export type MergeRequestState = 'opened' | 'closed' | 'merged';

export interface ListQuery {
  readonly state: MergeRequestState;
  readonly targetBranch: string;
  readonly page: number;
  readonly perPage: number;
}

export interface ListPage {
  /** Not yet checked to be an array. */
  readonly items: unknown;
  /** `x-next-page` as gitbeaker read it. */
  readonly next: unknown;
}

export interface NewMergeRequestCall {
  readonly sourceBranch: string;
  readonly targetBranch: string;
  readonly title: string;
  readonly description: string;
  readonly labels: readonly string[];
  readonly reviewerIds: readonly number[];
}

export interface MergeRequestEdit {
  readonly title?: string;
  readonly description?: string;
  readonly stateEvent?: 'close';
}

export interface AcceptOptions {
  readonly squash: boolean;
  readonly squashCommitMessage?: string;
  /** Merge only while the source branch is at this commit. */
  readonly sha: string;
}

export interface GitLabApi {
  listMergeRequests(query: ListQuery): Promise<ListPage>;
  getMergeRequest(iid: number): Promise<unknown>;
  createMergeRequest(request: NewMergeRequestCall): Promise<unknown>;
  editMergeRequest(iid: number, edit: MergeRequestEdit): Promise<unknown>;
  /** Sets auto-merge: GitLab merges once the pipeline (and every other check) passes. */
  enableAutoMerge(iid: number, options: AcceptOptions): Promise<unknown>;
  addNote(iid: number, body: string): Promise<void>;
  findUsers(username: string): Promise<unknown>;
  getCommit(sha: string): Promise<unknown>;
  /** The latest status of each name on a commit, at most `perPage` of them. */
  listCommitStatuses(sha: string, perPage: number): Promise<unknown>;
  /** A commit's pipelines, newest first, at most `perPage` of them. */
  listPipelines(sha: string, perPage: number): Promise<unknown>;
}

export function gitLabApi(client: GitLabClient, call: GitLabCall, projectId: string): GitLabApi {
  const read = { idempotent: true } as const;
  const write = { idempotent: false } as const;
  return {
    async listMergeRequests(query) {
      const answer: unknown = await call('list merge requests', read, () =>
        client.mergeRequests.all({
          projectId,
          state: query.state,
          targetBranch: query.targetBranch,
          orderBy: 'updated_at',
          sort: 'desc',
          perPage: query.perPage,
          page: query.page,
          showExpanded: true,
        }),
      );
      const { data, paginationInfo } = (answer ?? {}) as {
        data?: unknown;
        paginationInfo?: { next?: unknown };
      };
      return { items: data, next: paginationInfo?.next };
    },
    getMergeRequest: (iid) =>
      call('get merge request', { ...read, pullRequest: iid }, () =>
        client.mergeRequests.show(projectId, iid),
      ),
    createMergeRequest: (request) =>
      call('create merge request', write, () =>
        client.mergeRequests.create(projectId, request.sourceBranch, request.targetBranch, request.title, {
          description: request.description,
          ...(request.labels.length === 0 ? {} : { labels: request.labels.join(',') }),
          ...(request.reviewerIds.length === 0 ? {} : { reviewerIds: [...request.reviewerIds] }),
        }),
      ),
    editMergeRequest: (iid, edit) =>
      call('update merge request', { ...write, pullRequest: iid }, () =>
        client.mergeRequests.edit(projectId, iid, edit),
      ),
    enableAutoMerge: (iid, options) =>
      call(
        'set auto-merge',
        {
          ...write,
          pullRequest: iid,
          conflictIsTransient: true,
          hints: {
            405: 'GitLab will not merge it as it stands (closed, a draft, a failed pipeline, unresolved threads or missing approvals): drawbridge tries again on its next pass',
            409: 'the source branch moved since drawbridge read the merge request: it tries again on its next pass',
            422: 'GitLab cannot merge the branch (conflicts): drawbridge rewrites the branch on its next pass',
          },
        },
        () =>
          client.mergeRequests.merge(projectId, iid, {
            autoMerge: true,
            // GitLab before 17.11 knows only this name; later versions read both.
            mergeWhenPipelineSucceeds: true,
            squash: options.squash,
            sha: options.sha,
            ...(options.squashCommitMessage === undefined
              ? {}
              : { squashCommitMessage: options.squashCommitMessage }),
          }),
      ),
    async addNote(iid, body) {
      await call('comment on merge request', { ...write, pullRequest: iid }, () =>
        client.notes.create(projectId, iid, body),
      );
    },
    findUsers: (username) => call('find user', read, () => client.users.all({ username })),
    getCommit: (sha) =>
      call(
        'get commit',
        {
          ...read,
          hints: { 404: `no commit ${sha} in ${projectId}, or the project is not visible to the token` },
        },
        () => client.commits.show(projectId, sha),
      ),
    listCommitStatuses: (sha, perPage) =>
      call(
        'list commit statuses',
        {
          ...read,
          hints: {
            403: 'the token cannot read commit statuses: it needs the read_api (or api) scope and at least the Reporter role on the project',
            404: `no commit ${sha} in ${projectId}, or the project is not visible to the token`,
          },
        },
        () => {
          // One page: gitbeaker walks every page when none is named; its type leaves paging out.
          const options = { all: false, page: 1, perPage };
          return client.commits.allStatuses(projectId, sha, options);
        },
      ),
    listPipelines: (sha, perPage) =>
      call(
        'list pipelines',
        {
          ...read,
          hints: {
            403: 'the token cannot read pipelines: it needs the read_api (or api) scope and at least the Reporter role on the project',
          },
        },
        () => client.pipelines.all(projectId, { sha, orderBy: 'id', sort: 'desc', perPage, page: 1 }),
      ),
  };
}
