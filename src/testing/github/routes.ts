/**
 * The REST routes of the GitHub emulator under `/repos/{owner}/{repo}`, each named as
 * @octokit/rest names it (`pulls.list`, `issues.addLabels` …), with the fine-grained
 * permissions GitHub asks for it and the request and answer shapes of GitHub's API.
 */
import type { MergeStyle } from '../forge-remote.js';
import type { Permissions, Principal } from './auth.js';
import { DOCS, GitHubHttpError, notFound, validationFailed } from './http.js';
import {
  checkRunJson,
  combinedStatusJson,
  commentJson,
  commitJson,
  labelJson,
  pullJson,
  statusJson,
  type Urls,
} from './render.js';
import type { CommitStatusState, GitHubStore, PullFilter, PullRecord, RepositoryRecord } from './store.js';

export interface RouteContext {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: Readonly<Record<string, unknown>>;
  readonly principal: Principal;
  readonly repository: RepositoryRecord;
  readonly store: GitHubStore;
  readonly urls: Urls;
  /** The URL as called, for pagination links. */
  readonly requestUrl: URL;
}

export interface RouteAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RepoRoute {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  /** After `/repos/{owner}/{repo}`, with `{name}` parameters. */
  readonly path: string;
  /** Sets of permissions any one of which lets a token call it. */
  readonly permissions: readonly Permissions[];
  readonly docs: string;
  handle(context: RouteContext): Promise<RouteAnswer>;
}

const PULLS_DOCS = `${DOCS}/pulls/pulls`;
const PER_PAGE_DEFAULT = 30;
const PER_PAGE_MAX = 100;
const MERGE_METHODS: readonly MergeStyle[] = ['merge', 'squash', 'rebase'];

function invalid(key: string, value: unknown, expected: string): GitHubHttpError {
  return new GitHubHttpError(
    422,
    `Invalid request.\n\nFor 'properties/${key}', ${JSON.stringify(value)} is not ${expected}.`,
  );
}

function optionalText(body: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(key, value, 'a string');
  return value;
}

function requiredText(body: Readonly<Record<string, unknown>>, key: string, resource: string): string {
  const value = optionalText(body, key);
  if (value === undefined) throw validationFailed({ resource, field: key, code: 'missing_field' });
  return value;
}

function nullableText(body: Readonly<Record<string, unknown>>, key: string): string | null | undefined {
  return body[key] === null ? null : optionalText(body, key);
}

function textList(body: Readonly<Record<string, unknown>>, key: string): string[] {
  const value = body[key] ?? [];
  const names = Array.isArray(value)
    ? value.map((item: unknown) =>
        item !== null && typeof item === 'object' ? (item as Record<string, unknown>)['name'] : item,
      )
    : undefined;
  if (names === undefined || !names.every((name): name is string => typeof name === 'string'))
    throw invalid(key, value, 'an array of strings');
  return names;
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T, field: string): T {
  if (value === null) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw validationFailed({ value, resource: 'Issue', field, code: 'invalid' });
}

function pullOf(context: RouteContext, param: string): PullRecord {
  const number = Number(context.params[param]);
  if (!Number.isSafeInteger(number) || number < 1) throw notFound();
  return context.store.pull(context.repository, number);
}

async function onePull(context: RouteContext, pull: PullRecord, status: number, full: boolean) {
  const heads = await context.store.refreshHeads(context.repository, [pull]);
  return { status, body: pullJson(context.repository, pull, context.urls, { heads, full }) };
}

/** `Link` header of a page: prev, next, last and first, as GitHub orders them. */
function linkHeader(requestUrl: URL, page: number, lastPage: number): string | undefined {
  const at = (target: number): string => {
    const url = new URL(requestUrl);
    url.searchParams.set('page', String(target));
    return `<${url.href}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${at(page - 1)}; rel="prev"`);
  if (page < lastPage) links.push(`${at(page + 1)}; rel="next"`, `${at(lastPage)}; rel="last"`);
  if (page > 1) links.push(`${at(1)}; rel="first"`);
  return links.length > 0 ? links.join(', ') : undefined;
}

const READ_PULLS: readonly Permissions[] = [{ pull_requests: 'read' }];
const WRITE_PULLS: readonly Permissions[] = [{ pull_requests: 'write' }];
const WRITE_ISSUES_OR_PULLS: readonly Permissions[] = [{ issues: 'write' }, { pull_requests: 'write' }];

export const REPO_ROUTES: readonly RepoRoute[] = [
  {
    name: 'pulls.list',
    method: 'GET',
    path: '/pulls',
    permissions: READ_PULLS,
    docs: `${PULLS_DOCS}#list-pull-requests`,
    async handle(context) {
      const { query } = context;
      const sort = oneOf(
        query.get('sort'),
        ['created', 'updated', 'popularity', 'long-running'],
        'created',
        'sort',
      );
      const filter: PullFilter = {
        state: oneOf(query.get('state'), ['open', 'closed', 'all'], 'open', 'state'),
        sort,
        direction: oneOf(
          query.get('direction'),
          ['asc', 'desc'],
          sort === 'created' ? 'desc' : 'asc',
          'direction',
        ),
        ...(query.get('base') === null ? {} : { base: query.get('base')! }),
        ...(query.get('head') === null ? {} : { head: query.get('head')! }),
      };
      const perPage = Math.min(PER_PAGE_MAX, Math.max(1, Number(query.get('per_page')) || PER_PAGE_DEFAULT));
      const page = Math.max(1, Math.floor(Number(query.get('page'))) || 1);
      // Every pull request first: one whose head branch was deleted is closed, not listed as open.
      const heads = await context.store.refreshHeads(context.repository, [
        ...context.repository.pulls.values(),
      ]);
      const all = context.store.list(context.repository, filter);
      const slice = all.slice((page - 1) * perPage, page * perPage);
      const link = linkHeader(context.requestUrl, page, Math.max(1, Math.ceil(all.length / perPage)));
      return {
        status: 200,
        body: slice.map((pull) => pullJson(context.repository, pull, context.urls, { heads, full: false })),
        ...(link === undefined ? {} : { headers: { link } }),
      };
    },
  },
  {
    name: 'pulls.create',
    method: 'POST',
    path: '/pulls',
    permissions: WRITE_PULLS,
    docs: `${PULLS_DOCS}#create-a-pull-request`,
    async handle(context) {
      const { body } = context;
      const draft = body['draft'] ?? false;
      if (typeof draft !== 'boolean') throw invalid('draft', draft, 'a boolean');
      const pull = await context.store.create(
        context.repository,
        {
          title: requiredText(body, 'title', 'PullRequest'),
          head: requiredText(body, 'head', 'PullRequest'),
          base: requiredText(body, 'base', 'PullRequest'),
          body: nullableText(body, 'body') ?? null,
          draft,
        },
        context.principal.login,
      );
      return onePull(context, pull, 201, true);
    },
  },
  {
    name: 'pulls.get',
    method: 'GET',
    path: '/pulls/{pull_number}',
    permissions: READ_PULLS,
    docs: `${PULLS_DOCS}#get-a-pull-request`,
    handle: (context) => onePull(context, pullOf(context, 'pull_number'), 200, true),
  },
  {
    name: 'pulls.update',
    method: 'PATCH',
    path: '/pulls/{pull_number}',
    permissions: WRITE_PULLS,
    docs: `${PULLS_DOCS}#update-a-pull-request`,
    async handle(context) {
      const { body } = context;
      const state = optionalText(body, 'state');
      if (state !== undefined && state !== 'open' && state !== 'closed')
        throw validationFailed({ value: state, resource: 'PullRequest', field: 'state', code: 'invalid' });
      const title = optionalText(body, 'title');
      const text = nullableText(body, 'body');
      const base = optionalText(body, 'base');
      const pull = context.store.update(context.repository, pullOf(context, 'pull_number'), {
        ...(title === undefined ? {} : { title }),
        ...(text === undefined ? {} : { body: text }),
        ...(state === undefined ? {} : { state }),
        ...(base === undefined ? {} : { base }),
      });
      return onePull(context, pull, 200, true);
    },
  },
  {
    name: 'pulls.merge',
    method: 'PUT',
    path: '/pulls/{pull_number}/merge',
    permissions: [{ contents: 'write' }],
    docs: `${PULLS_DOCS}#merge-a-pull-request`,
    async handle(context) {
      const { body } = context;
      const method = optionalText(body, 'merge_method') ?? 'merge';
      if (!(MERGE_METHODS as readonly string[]).includes(method))
        throw validationFailed({
          value: method,
          resource: 'PullRequest',
          field: 'merge_method',
          code: 'invalid',
        });
      const commitTitle = optionalText(body, 'commit_title');
      const commitMessage = optionalText(body, 'commit_message');
      const sha = optionalText(body, 'sha');
      const result = await context.store.merge(context.repository, pullOf(context, 'pull_number'), {
        method: method as MergeStyle,
        ...(commitTitle === undefined ? {} : { commitTitle }),
        ...(commitMessage === undefined ? {} : { commitMessage }),
        ...(sha === undefined ? {} : { sha }),
      });
      return {
        status: 200,
        body: { sha: result.sha, merged: true, message: 'Pull Request successfully merged' },
      };
    },
  },
  {
    name: 'pulls.requestReviewers',
    method: 'POST',
    path: '/pulls/{pull_number}/requested_reviewers',
    permissions: WRITE_PULLS,
    docs: `${DOCS}/pulls/review-requests#request-reviewers-for-a-pull-request`,
    async handle(context) {
      const pull = context.store.requestReviewers(
        context.repository,
        pullOf(context, 'pull_number'),
        textList(context.body, 'reviewers'),
        textList(context.body, 'team_reviewers'),
      );
      return onePull(context, pull, 201, false);
    },
  },
  {
    name: 'issues.addLabels',
    method: 'POST',
    path: '/issues/{issue_number}/labels',
    permissions: WRITE_ISSUES_OR_PULLS,
    docs: `${DOCS}/issues/labels#add-labels-to-an-issue`,
    async handle(context) {
      const labels = context.store.addLabels(
        context.repository,
        pullOf(context, 'issue_number'),
        textList(context.body, 'labels'),
      );
      return { status: 200, body: labels.map((label) => labelJson(context.repository, label, context.urls)) };
    },
  },
  {
    name: 'issues.createComment',
    method: 'POST',
    path: '/issues/{issue_number}/comments',
    permissions: WRITE_ISSUES_OR_PULLS,
    docs: `${DOCS}/issues/comments#create-an-issue-comment`,
    async handle(context) {
      const pull = pullOf(context, 'issue_number');
      const comment = context.store.addComment(
        pull,
        requiredText(context.body, 'body', 'IssueComment'),
        context.principal.login,
      );
      return { status: 201, body: commentJson(context.repository, pull, comment, context.urls) };
    },
  },
  {
    name: 'repos.getCommit',
    method: 'GET',
    path: '/commits/{ref}',
    permissions: [{ contents: 'read' }],
    docs: `${DOCS}/commits/commits#get-a-commit`,
    async handle(context) {
      const ref = context.params['ref'] ?? '';
      const commit = await context.store.commit(context.repository, ref);
      if (commit === undefined) throw new GitHubHttpError(422, `No commit found for SHA: ${ref}`);
      return { status: 200, body: commitJson(context.repository, commit, context.urls) };
    },
  },
  {
    name: 'repos.createCommitStatus',
    method: 'POST',
    path: '/statuses/{sha}',
    permissions: [{ statuses: 'write' }],
    docs: `${DOCS}/commits/statuses#create-a-commit-status`,
    async handle(context) {
      const sha = await commitOf(context, 'sha');
      const state = requiredText(context.body, 'state', 'Status');
      if (!STATUS_STATES.includes(state as CommitStatusState))
        throw invalid('state', state, 'one of error, failure, pending, success');
      const status = context.store.addStatus(context.repository, {
        sha,
        state: state as CommitStatusState,
        context: optionalText(context.body, 'context') ?? 'default',
        description: nullableText(context.body, 'description') ?? null,
        targetUrl: nullableText(context.body, 'target_url') ?? null,
        creator: context.principal.login,
      });
      return { status: 201, body: statusJson(context.repository, status, context.urls) };
    },
  },
  {
    name: 'repos.getCombinedStatusForRef',
    method: 'GET',
    path: '/commits/{ref}/status',
    permissions: [{ statuses: 'read' }],
    docs: `${DOCS}/commits/statuses#get-the-combined-status-for-a-specific-reference`,
    async handle(context) {
      const sha = await commitOf(context, 'ref');
      const statuses = context.repository.statuses.get(sha) ?? [];
      return { status: 200, body: combinedStatusJson(context.repository, sha, statuses, context.urls) };
    },
  },
  {
    name: 'checks.create',
    method: 'POST',
    path: '/check-runs',
    permissions: [{ checks: 'write' }],
    docs: `${DOCS}/checks/runs#create-a-check-run`,
    async handle(context) {
      const sha = requiredText(context.body, 'head_sha', 'CheckRun');
      if ((await context.store.commit(context.repository, sha))?.sha !== sha)
        throw validationFailed({ resource: 'CheckRun', field: 'head_sha', code: 'invalid' });
      const status = optionalText(context.body, 'status') ?? 'queued';
      if (status !== 'queued' && status !== 'in_progress' && status !== 'completed')
        throw invalid('status', status, 'one of queued, in_progress, completed');
      const conclusion = optionalText(context.body, 'conclusion') ?? null;
      if ((status === 'completed') !== (conclusion !== null))
        throw validationFailed({ resource: 'CheckRun', field: 'conclusion', code: 'missing_field' });
      const run = context.store.addCheckRun(context.repository, {
        sha,
        name: requiredText(context.body, 'name', 'CheckRun'),
        status,
        conclusion,
        detailsUrl: nullableText(context.body, 'details_url') ?? null,
      });
      return { status: 201, body: checkRunJson(context.repository, run, context.urls) };
    },
  },
  {
    name: 'checks.listForRef',
    method: 'GET',
    path: '/commits/{ref}/check-runs',
    permissions: [{ checks: 'read' }],
    docs: `${DOCS}/checks/runs#list-check-runs-for-a-git-reference`,
    async handle(context) {
      const sha = await commitOf(context, 'ref');
      const all = context.repository.checkRuns.get(sha) ?? [];
      // filter=latest (the default): the most recent run of each name.
      const latest = new Map(all.map((run) => [run.name, run]));
      const runs = context.query.get('filter') === 'all' ? all : [...latest.values()];
      return {
        status: 200,
        body: {
          total_count: runs.length,
          check_runs: [...runs].reverse().map((run) => checkRunJson(context.repository, run, context.urls)),
        },
      };
    },
  },
];

const STATUS_STATES: readonly CommitStatusState[] = ['error', 'failure', 'pending', 'success'];

/** The commit a `{ref}` parameter names, as GitHub resolves it; 422 when none. */
async function commitOf(context: RouteContext, param: string): Promise<string> {
  const ref = context.params[param] ?? '';
  const commit = await context.store.commit(context.repository, ref);
  if (commit === undefined) throw new GitHubHttpError(422, `No commit found for SHA: ${ref}`);
  return commit.sha;
}

export interface RouteMatch {
  readonly route: RepoRoute;
  readonly owner: string;
  readonly repo: string;
  readonly params: Readonly<Record<string, string>>;
}

const COMPILED = REPO_ROUTES.map((route) => {
  const names: string[] = [];
  const pattern = route.path.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, names, regex: new RegExp(`^/repos/([^/]+)/([^/]+)${pattern}/?$`) };
});

/** The route for a method and path, with its parameters decoded; undefined when none. */
export function matchRepoRoute(method: string, path: string): RouteMatch | undefined {
  for (const { route, names, regex } of COMPILED) {
    if (route.method !== method) continue;
    const match = regex.exec(path);
    if (match === null) continue;
    try {
      const [owner, repo, ...values] = match.slice(1).map((part) => decodeURIComponent(part));
      const params = Object.fromEntries(names.map((name, i) => [name, values[i] ?? '']));
      return { route, owner: owner ?? '', repo: repo ?? '', params };
    } catch {
      return undefined;
    }
  }
  return undefined;
}
