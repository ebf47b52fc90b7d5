/**
 * The GitHub emulator's records as GitHub's REST API shows them: pull requests (the list
 * shape, and the full shape with `merged` and `mergeable` for single answers), labels,
 * comments, commits, commit statuses and check runs. Times are ISO 8601 to the second, as GitHub writes them.
 */
import type { CommitDetails } from './git.js';
import type {
  CheckRunRecord,
  Comment,
  CommitStatusRecord,
  Label,
  PullRecord,
  RepositoryRecord,
} from './store.js';

export interface Urls {
  /** REST root, e.g. `http://127.0.0.1:PORT` or `…/api/v3`. */
  readonly api: string;
  /** Web root, e.g. `http://127.0.0.1:PORT`. */
  readonly web: string;
}

export function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function user(login: string): Record<string, unknown> {
  return { login, id: loginId(login), type: login.endsWith('[bot]') ? 'Bot' : 'User' };
}

/** A stable small id for a login, so answers look alike from call to call. */
function loginId(login: string): number {
  let hash = 7;
  for (const char of login) hash = (hash * 31 + char.charCodeAt(0)) % 1_000_000;
  return hash + 1;
}

function repositoryJson(repository: RepositoryRecord, urls: Urls): Record<string, unknown> {
  return {
    id: repository.id,
    name: repository.name,
    full_name: repository.fullName,
    owner: user(repository.owner),
    private: true,
    html_url: `${urls.web}/${repository.fullName}`,
    url: `${urls.api}/repos/${repository.fullName}`,
    allow_auto_merge: repository.options.allowAutoMerge !== false,
    delete_branch_on_merge: repository.options.deleteBranchOnMerge === true,
  };
}

export function labelJson(repository: RepositoryRecord, label: Label, urls: Urls): Record<string, unknown> {
  return {
    id: label.id,
    node_id: `LA_${Buffer.from(String(label.id)).toString('base64url')}`,
    url: `${urls.api}/repos/${repository.fullName}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    default: false,
    description: null,
  };
}

export interface PullJsonOptions {
  /** Branch heads, for `base.sha`. */
  readonly heads: ReadonlyMap<string, string>;
  /** The single-pull-request shape (adds merged, mergeable …). */
  readonly full: boolean;
}

export function pullJson(
  repository: RepositoryRecord,
  pull: PullRecord,
  urls: Urls,
  options: PullJsonOptions,
): Record<string, unknown> {
  const api = `${urls.api}/repos/${repository.fullName}`;
  const web = `${urls.web}/${repository.fullName}/pull/${pull.number}`;
  const repo = repositoryJson(repository, urls);
  const base = {
    id: pull.id,
    node_id: pull.nodeId,
    url: `${api}/pulls/${pull.number}`,
    html_url: web,
    diff_url: `${web}.diff`,
    patch_url: `${web}.patch`,
    issue_url: `${api}/issues/${pull.number}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: user(pull.author),
    body: pull.body,
    labels: pull.labels.map((name) =>
      labelJson(repository, repository.labels.get(name.toLowerCase())!, urls),
    ),
    milestone: null,
    created_at: iso(pull.createdAt),
    updated_at: iso(pull.updatedAt),
    closed_at: iso(pull.closedAt),
    merged_at: iso(pull.mergedAt),
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: pull.reviewers.map(user),
    requested_teams: pull.teams.map((slug) => ({ slug, name: slug, id: loginId(`team:${slug}`) })),
    head: {
      label: `${repository.owner}:${pull.head}`,
      ref: pull.head,
      sha: pull.headSha,
      user: user(repository.owner),
      repo,
    },
    base: {
      label: `${repository.owner}:${pull.base}`,
      ref: pull.base,
      sha: options.heads.get(pull.base) ?? null,
      user: user(repository.owner),
      repo,
    },
    author_association: 'MEMBER',
    auto_merge:
      pull.autoMerge === null
        ? null
        : {
            enabled_by: user(pull.autoMerge.enabledBy),
            merge_method: pull.autoMerge.mergeMethod,
            commit_title: pull.autoMerge.commitHeadline ?? null,
            commit_message: pull.autoMerge.commitBody ?? null,
          },
    draft: pull.draft,
  };
  if (!options.full) return base;
  const open = pull.state === 'open';
  return {
    ...base,
    merged: pull.mergedAt !== null,
    mergeable: open ? true : null,
    rebaseable: open ? true : null,
    mergeable_state: !open
      ? 'unknown'
      : pull.draft
        ? 'draft'
        : repository.options.requiredChecks === false
          ? 'clean'
          : 'blocked',
    merged_by: pull.mergedAt === null ? null : user('octocat'),
    comments: pull.comments.length,
    maintainer_can_modify: false,
  };
}

export function commentJson(
  repository: RepositoryRecord,
  pull: PullRecord,
  comment: Comment,
  urls: Urls,
): Record<string, unknown> {
  return {
    id: comment.id,
    node_id: `IC_${Buffer.from(String(comment.id)).toString('base64url')}`,
    url: `${urls.api}/repos/${repository.fullName}/issues/comments/${comment.id}`,
    html_url: `${urls.web}/${repository.fullName}/pull/${pull.number}#issuecomment-${comment.id}`,
    issue_url: `${urls.api}/repos/${repository.fullName}/issues/${pull.number}`,
    body: comment.body,
    user: user(comment.author),
    created_at: iso(comment.createdAt),
    updated_at: iso(comment.createdAt),
    author_association: 'MEMBER',
  };
}

export function commitJson(
  repository: RepositoryRecord,
  commit: CommitDetails,
  urls: Urls,
): Record<string, unknown> {
  const api = `${urls.api}/repos/${repository.fullName}`;
  return {
    sha: commit.sha,
    node_id: `C_${Buffer.from(commit.sha, 'hex').toString('base64url')}`,
    url: `${api}/commits/${commit.sha}`,
    html_url: `${urls.web}/${repository.fullName}/commit/${commit.sha}`,
    commit: {
      author: commit.author,
      committer: commit.committer,
      message: commit.message,
      tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
      url: `${api}/git/commits/${commit.sha}`,
      comment_count: 0,
    },
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${api}/commits/${sha}`,
      html_url: `${urls.web}/${repository.fullName}/commit/${sha}`,
    })),
  };
}

export function statusJson(
  repository: RepositoryRecord,
  status: CommitStatusRecord,
  urls: Urls,
): Record<string, unknown> {
  return {
    url: `${urls.api}/repos/${repository.fullName}/statuses/${status.sha}`,
    id: status.id,
    node_id: `SC_${status.id}`,
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: iso(status.createdAt),
    updated_at: iso(status.createdAt),
    creator: user(status.creator),
  };
}

/** The combined status of a commit: the latest status of each context, and their verdict. */
export function combinedStatusJson(
  repository: RepositoryRecord,
  sha: string,
  statuses: readonly CommitStatusRecord[],
  urls: Urls,
): Record<string, unknown> {
  const latest = new Map<string, CommitStatusRecord>();
  for (const status of statuses) latest.set(status.context, status);
  const shown = [...latest.values()].reverse();
  const states = shown.map((status) => status.state);
  const state = states.some((s) => s === 'error' || s === 'failure')
    ? 'failure'
    : states.length === 0 || states.includes('pending')
      ? 'pending'
      : 'success';
  return {
    state,
    statuses: shown.map((status) => statusJson(repository, status, urls)),
    sha,
    total_count: shown.length,
    repository: repositoryJson(repository, urls),
    commit_url: `${urls.api}/repos/${repository.fullName}/commits/${sha}`,
    url: `${urls.api}/repos/${repository.fullName}/commits/${sha}/status`,
  };
}

export function checkRunJson(
  repository: RepositoryRecord,
  run: CheckRunRecord,
  urls: Urls,
): Record<string, unknown> {
  return {
    id: run.id,
    node_id: `CR_${run.id}`,
    head_sha: run.sha,
    name: run.name,
    status: run.status,
    conclusion: run.conclusion,
    started_at: iso(run.startedAt),
    completed_at: iso(run.completedAt),
    details_url: run.detailsUrl,
    html_url: `${urls.web}/${repository.fullName}/runs/${run.id}`,
    url: `${urls.api}/repos/${repository.fullName}/check-runs/${run.id}`,
  };
}
