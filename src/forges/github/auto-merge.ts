/**
 * Auto-merge on GitHub: GraphQL's enablePullRequestAutoMerge with the pull request's node id
 * (REST has no such call). Already enabled with the same method is success without a call.
 * GitHub refuses to enable it on a pull request that can be merged right now ("Pull request
 * is in clean status": no required checks or reviews are pending); that one is merged at
 * once, with the same method and guarded by its head commit, which is what auto-merge would
 * have done.
 */
import { ForgeError } from '../../errors.js';
import type { AutoMergeOutcome, MergeMethod, PullRequest } from '../../forge.js';
import {
  autoMergeAnswer,
  autoMergeMethodOf,
  mergedSha,
  nodeIdOf,
  sameNumber,
  toPullRequest,
} from './answers.js';
import { isCleanStatusRefusal } from './errors.js';
import { OPERATIONS, type GitHubRepository } from './repository.js';

const ENABLE_AUTO_MERGE = `
  mutation EnableAutoMerge($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!) {
    enablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId, mergeMethod: $mergeMethod }) {
      pullRequest {
        state
        autoMergeRequest {
          mergeMethod
        }
      }
    }
  }
`;

export async function enableAutoMerge(
  repository: GitHubRepository,
  pull: PullRequest,
  method: MergeMethod,
): Promise<AutoMergeOutcome> {
  const { octokit, owner, repo } = repository;
  const current = await repository.call(
    OPERATIONS.read,
    () =>
      octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
        owner,
        repo,
        pull_number: pull.number,
      }),
    pull.number,
  );
  const now = sameNumber(toPullRequest(current.data), pull.number);
  if (now.state === 'merged') return 'merged';
  if (now.state === 'closed')
    throw new ForgeError(`GitHub: pull request #${pull.number} in ${repository.fullName} is closed`, {
      retryable: false,
      hint: 'a closed pull request is not merged; the next pass opens a new one if it is still needed',
      context: { repository: repository.fullName, pullRequest: pull.number },
    });
  if (autoMergeMethodOf(current.data) === method) return 'enabled';
  const pullRequestId = nodeIdOf(current.data);
  let answer: unknown;
  try {
    answer = await octokit.graphql(ENABLE_AUTO_MERGE, { pullRequestId, mergeMethod: method.toUpperCase() });
  } catch (error) {
    if (!isCleanStatusRefusal(error))
      throw repository.failure(error, OPERATIONS.enableAutoMerge, pull.number);
    return mergeNow(repository, now, method);
  }
  return autoMergeAnswer(answer, method);
}

async function mergeNow(
  repository: GitHubRepository,
  pull: PullRequest,
  method: MergeMethod,
): Promise<'merged'> {
  const { octokit, owner, repo } = repository;
  repository.logger.info(
    { repository: repository.fullName, pullRequest: pull.number, method },
    'github pull request mergeable now: merging instead of enabling auto-merge',
  );
  const merged = await repository.call(
    OPERATIONS.merge,
    () =>
      octokit.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
        owner,
        repo,
        pull_number: pull.number,
        merge_method: method,
        sha: pull.headSha,
      }),
    pull.number,
  );
  mergedSha(merged.data);
  return 'merged';
}
