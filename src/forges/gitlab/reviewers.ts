/**
 * Reviewers by username → GitLab user ids (GitLab's `reviewer_ids`), one `GET /users?
 * username=` each. Every unknown name is reported at once, so one config fix covers them.
 */
import { ForgeError } from '../../errors.js';
import { printable } from '../../log/printable.js';
import type { GitLabApi } from './api.js';

export async function reviewerIds(
  api: GitLabApi,
  usernames: readonly string[],
  repository: string,
): Promise<number[]> {
  const ids: number[] = [];
  const unknown: string[] = [];
  for (const username of new Set(usernames)) {
    const answer = await api.findUsers(username);
    if (!Array.isArray(answer))
      throw new ForgeError('gitlab answered a user search with something other than a list', {
        retryable: false,
        hint: 'drawbridge ignores the answer; check the forge, or a proxy in between',
        context: { repository },
      });
    const id = idOf(answer, username);
    if (id === undefined) unknown.push(username);
    else ids.push(id);
  }
  if (unknown.length > 0)
    throw new ForgeError(`GitLab has no user ${unknown.map((name) => printable(name, 80)).join(', ')}`, {
      retryable: false,
      hint: `reviewers are GitLab usernames (without @) of people who can see ${repository}`,
      context: { repository },
    });
  return [...new Set(ids)];
}

/** The id of the user answered whose username is `username` (GitLab matches without regard to case). */
function idOf(users: readonly unknown[], username: string): number | undefined {
  const wanted = username.toLowerCase();
  for (const user of users) {
    if (user === null || typeof user !== 'object') continue;
    const { id, username: name } = user as Record<string, unknown>;
    if (
      typeof name === 'string' &&
      name.toLowerCase() === wanted &&
      typeof id === 'number' &&
      Number.isSafeInteger(id) &&
      id > 0
    )
      return id;
  }
  return undefined;
}
