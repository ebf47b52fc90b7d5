/**
 * Listing merge requests into a branch, one page at a time (each page its own call, so a
 * retry repeats one page, not the listing): every open one, or the most recently updated
 * closed and merged ones. GitLab filters by one state per query, so closed and merged are
 * two streams, newest first each, merged newest first until `limit`; a page is fetched only
 * when the merge needs it. Each answer is checked before use and must be what was asked for
 * (the state, the target branch), and x-next-page must move forward.
 */
import { ForgeError } from '../../errors.js';
import type { PullRequest } from '../../forge.js';
import type { GitLabApi, MergeRequestState } from './api.js';
import { fromGitLab } from './merge-request.js';

export const PER_PAGE = 100;
/** 10,000 merge requests: more open ones than this into one branch is a misconfiguration. */
export const MAX_PAGES = 100;

const EXPECTED: Readonly<Record<MergeRequestState, PullRequest['state']>> = {
  opened: 'open',
  merged: 'merged',
  closed: 'closed',
};

export interface GitLabListing {
  listOpen(base: string): Promise<PullRequest[]>;
  listClosed(base: string, limit: number): Promise<PullRequest[]>;
}

export function gitLabListing(api: GitLabApi, repository: string): GitLabListing {
  async function* stream(state: MergeRequestState, base: string, perPage: number): Stream {
    let page: number | undefined = 1;
    for (let fetched = 0; page !== undefined; fetched += 1) {
      if (fetched === MAX_PAGES)
        throw new ForgeError(
          `GitLab lists more than ${MAX_PAGES * PER_PAGE} ${state} merge requests into ${base}`,
          {
            retryable: false,
            hint: 'drawbridge reads at most that many; close stale merge requests into the branch',
            context: { repository, branch: base },
          },
        );
      const { items, next } = await api.listMergeRequests({ state, targetBranch: base, page, perPage });
      if (!Array.isArray(items)) throw refused('a list of merge requests', repository);
      for (const item of items) {
        const { pullRequest } = fromGitLab(item);
        if (pullRequest.state !== EXPECTED[state] || pullRequest.base !== base)
          throw refused(`${state} merge requests into ${base}`, repository);
        yield pullRequest;
      }
      page = typeof next === 'number' && Number.isSafeInteger(next) && next > page ? next : undefined;
    }
  }

  return {
    async listOpen(base) {
      const open: PullRequest[] = [];
      for await (const pullRequest of stream('opened', base, PER_PAGE)) open.push(pullRequest);
      return open;
    },
    async listClosed(base, limit) {
      if (limit <= 0) return [];
      const perPage = Math.min(PER_PAGE, limit);
      return newestFirst([stream('merged', base, perPage), stream('closed', base, perPage)], limit);
    },
  };
}

type Stream = AsyncGenerator<PullRequest, void, undefined>;

async function next(stream: Stream): Promise<PullRequest | undefined> {
  const result = await stream.next();
  return result.done ? undefined : result.value;
}

/** Merges streams that are each newest first into one, newest first, stopping at `limit`. */
async function newestFirst(streams: readonly Stream[], limit: number): Promise<PullRequest[]> {
  const heads: (PullRequest | undefined)[] = [];
  for (const stream of streams) heads.push(await next(stream));
  const out: PullRequest[] = [];
  try {
    while (out.length < limit) {
      let newest: number | undefined;
      heads.forEach((head, i) => {
        if (head !== undefined && (newest === undefined || head.updatedAt > heads[newest]!.updatedAt))
          newest = i;
      });
      if (newest === undefined) break;
      out.push(heads[newest]!);
      heads[newest] = out.length < limit ? await next(streams[newest]!) : undefined;
    }
  } finally {
    await Promise.all(streams.map((stream) => stream.return(undefined)));
  }
  return out;
}

function refused(expected: string, repository: string): ForgeError {
  return new ForgeError(`gitlab answered something other than ${expected}`, {
    retryable: false,
    hint: 'drawbridge ignores the answer; check the forge, or a proxy in between',
    context: { repository },
  });
}
