/**
 * A commit's full message, read from GitHub (a closed pull request's merge or squash commit,
 * whose trailers tell what it changed). The id asked for is checked before the call, and the
 * answer must be that commit with a message that is text.
 */
import { ForgeError } from '../../errors.js';
import { printable } from '../../log/printable.js';
import { isCommitSha } from '../checks.js';
import { commitMessageOf } from './answers.js';
import { OPERATIONS, type GitHubRepository } from './repository.js';

export async function commitMessage(repository: GitHubRepository, sha: string): Promise<string> {
  if (!isCommitSha(sha))
    throw new ForgeError(`not a full commit id: ${printable(sha, 80)}`, {
      retryable: false,
      hint: 'drawbridge reads commit messages by their full 40 (or 64) hex digit id',
    });
  const { octokit, owner, repo } = repository;
  const answer = await repository.call(OPERATIONS.readCommit, () =>
    octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', { owner, repo, ref: sha }),
  );
  return commitMessageOf(answer.data, sha);
}
