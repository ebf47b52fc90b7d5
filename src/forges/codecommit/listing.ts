/**
 * Listing pull requests into one branch. ListPullRequests answers ids only (for the whole
 * repository, by status), so each is read with GetPullRequest, a few at a time, and checked
 * before its target branch is compared.
 *
 * Closed pull requests pile up over the years, so listClosed reads the newest ids first
 * (CodeCommit numbers pull requests in the order they are opened) and stops once it has
 * `limit` into the branch, or after CLOSED_SCAN_MAX reads: the ones it returns are sorted by
 * their last activity, most recent first.
 */
import type { PullRequest } from '../../forge.js';
import { mapBounded } from '../../map-bounded.js';
import type { CodeCommitApi } from './api.js';
import { toPullRequest, type RepositoryScope } from './pull-request.js';

export const READ_CONCURRENCY = 8;
export const CLOSED_SCAN_MAX = 500;

export interface Listing {
  listOpen(base: string): Promise<PullRequest[]>;
  listClosed(base: string, limit: number): Promise<PullRequest[]>;
}

export function codeCommitListing(api: CodeCommitApi, scope: RepositoryScope): Listing {
  const read = (ids: readonly string[]): Promise<PullRequest[]> =>
    mapBounded(ids, READ_CONCURRENCY, async (id) =>
      toPullRequest(await api.getPullRequest(Number(id)), scope),
    );

  return {
    async listOpen(base) {
      const pulls = await read(await api.listPullRequestIds('OPEN'));
      return pulls.filter((pull) => pull.state === 'open' && pull.base === base);
    },

    async listClosed(base, limit) {
      if (limit < 1) return [];
      const ids = (await api.listPullRequestIds('CLOSED')).sort((a, b) => Number(b) - Number(a));
      const found: PullRequest[] = [];
      for (let from = 0; from < Math.min(ids.length, CLOSED_SCAN_MAX) && found.length < limit;) {
        const batch = ids.slice(
          from,
          Math.min(from + Math.max(limit - found.length, READ_CONCURRENCY), CLOSED_SCAN_MAX),
        );
        from += batch.length;
        for (const pull of await read(batch))
          if (pull.state !== 'open' && pull.base === base) found.push(pull);
      }
      return found.sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime()).slice(0, limit);
    },
  };
}
