/**
 * Pull requests on GitHub: listing (every page of the open ones; the most recently updated
 * closed ones up to a limit), opening with labels and reviewers, updating and closing.
 * Pages are requested by number and only the presence of a `rel="next"` link is read from
 * the `Link` header, so a next-page URL pointing elsewhere is never followed.
 */
import { ForgeError } from '../../errors.js';
import type { NewPullRequest, PullRequest, PullRequestContent } from '../../forge.js';
import { listOf, refuse, sameNumber, toPullRequest } from './answers.js';
import { OPERATIONS, type GitHubRepository, type Operation } from './repository.js';

const PAGE_SIZE = 100;
/** A bound on one listing (10,000 pull requests at full pages), against an answer that never ends. */
const PAGES_MAX = 100;

interface ListQuery {
  readonly state: 'open' | 'closed';
  readonly base: string;
  readonly sort?: 'updated';
  readonly direction?: 'desc';
}

function hasNextPage(link: string | undefined, count: number, perPage: number): boolean {
  if (count === 0) return false;
  return link === undefined ? count === perPage : /;\s*rel="next"/.test(link);
}

async function listPulls(
  repository: GitHubRepository,
  what: Operation,
  query: ListQuery,
  limit: number,
): Promise<PullRequest[]> {
  const { octokit, owner, repo } = repository;
  const perPage = Math.min(PAGE_SIZE, limit);
  const wanted = (pull: PullRequest): boolean =>
    pull.base === query.base && (query.state === 'open' ? pull.state === 'open' : pull.state !== 'open');
  const found = new Map<number, PullRequest>();
  for (let page = 1; found.size < limit; page += 1) {
    if (page > PAGES_MAX)
      throw new ForgeError(
        `GitHub: more than ${PAGES_MAX} pages of ${query.state} pull requests into ${query.base}`,
        {
          retryable: false,
          hint: 'drawbridge stops listing there; close pull requests nobody needs',
          context: { repository: repository.fullName },
        },
      );
    const response = await repository.call(what, () =>
      octokit.request('GET /repos/{owner}/{repo}/pulls', { owner, repo, ...query, per_page: perPage, page }),
    );
    const items = listOf(response.data, 'a list of pull requests');
    // Checked whole before any is kept: one bad entry refuses the page.
    for (const pull of items.map(toPullRequest))
      if (wanted(pull) && found.size < limit && !found.has(pull.number)) found.set(pull.number, pull);
    if (!hasNextPage(response.headers.link, items.length, perPage)) break;
  }
  return [...found.values()];
}

export function listOpen(repository: GitHubRepository, base: string): Promise<PullRequest[]> {
  return listPulls(repository, OPERATIONS.listOpen, { state: 'open', base }, Number.POSITIVE_INFINITY);
}

export async function listClosed(
  repository: GitHubRepository,
  base: string,
  limit: number,
): Promise<PullRequest[]> {
  if (!(limit >= 1)) return [];
  return listPulls(
    repository,
    OPERATIONS.listClosed,
    { state: 'closed', base, sort: 'updated', direction: 'desc' },
    Math.floor(limit),
  );
}

export async function openPullRequest(
  repository: GitHubRepository,
  request: NewPullRequest,
): Promise<PullRequest> {
  const { octokit, owner, repo } = repository;
  const created = await repository.call(OPERATIONS.open, () =>
    octokit.request('POST /repos/{owner}/{repo}/pulls', {
      owner,
      repo,
      title: request.title,
      head: request.head,
      base: request.base,
      body: request.body,
      draft: request.draft,
    }),
  );
  const pull = toPullRequest(created.data);
  if (pull.head !== request.head) refuse('a new pull request', 'source branch', pull.head);
  if (pull.base !== request.base) refuse('a new pull request', 'target branch', pull.base);
  if (request.labels.length > 0)
    await settle(repository, pull, OPERATIONS.label, () =>
      octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
        owner,
        repo,
        issue_number: pull.number,
        labels: [...request.labels],
      }),
    );
  if (request.reviewers.length > 0 || request.teamReviewers.length > 0)
    await settle(repository, pull, OPERATIONS.requestReviewers, () =>
      octokit.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', {
        owner,
        repo,
        pull_number: pull.number,
        reviewers: [...request.reviewers],
        team_reviewers: [...request.teamReviewers],
      }),
    );
  return pull;
}

/**
 * Labels and reviewers of a pull request that is already open: a failure is logged, not
 * thrown, because the pull request exists and opening it again would be refused.
 */
async function settle(
  repository: GitHubRepository,
  pull: PullRequest,
  what: Operation,
  run: () => Promise<unknown>,
): Promise<void> {
  try {
    await repository.call(what, run, pull.number);
  } catch (error) {
    if (!(error instanceof ForgeError)) throw error;
    repository.logger.warn(
      {
        repository: repository.fullName,
        pullRequest: pull.number,
        operation: what.operation,
        error: error.message,
        hint: error.hint,
        retryable: error.retryable,
      },
      'github pull request opened without all its settings',
    );
  }
}

export async function updatePullRequest(
  repository: GitHubRepository,
  pull: PullRequest,
  content: PullRequestContent,
): Promise<PullRequest> {
  const { octokit, owner, repo } = repository;
  const updated = await repository.call(
    OPERATIONS.update,
    () =>
      octokit.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
        owner,
        repo,
        pull_number: pull.number,
        title: content.title,
        body: content.body,
      }),
    pull.number,
  );
  return sameNumber(toPullRequest(updated.data), pull.number);
}

export async function closePullRequest(
  repository: GitHubRepository,
  pull: PullRequest,
  comment: string,
  body: string,
): Promise<void> {
  const { octokit, owner, repo } = repository;
  if (comment.trim() !== '')
    await repository.call(
      OPERATIONS.comment,
      () =>
        octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
          owner,
          repo,
          issue_number: pull.number,
          body: comment,
        }),
      pull.number,
    );
  const closed = await repository.call(
    OPERATIONS.close,
    () =>
      octokit.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
        owner,
        repo,
        pull_number: pull.number,
        state: 'closed',
        body,
      }),
    pull.number,
  );
  sameNumber(toPullRequest(closed.data), pull.number);
}
