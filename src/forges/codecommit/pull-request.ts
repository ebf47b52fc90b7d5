/**
 * A CodeCommit pull request in drawbridge's terms. CodeCommit answers one target per pull
 * request, with `refs/heads/`-prefixed references; that shape is checked here (one target, our
 * repository, branch references) and everything else by checkedPullRequest, so an answer that
 * is off in any field is refused whole.
 */
import type { PullRequest as CodeCommitPullRequest, PullRequestTarget } from '@aws-sdk/client-codecommit';
import { ForgeError } from '../../errors.js';
import type { PullRequest } from '../../forge.js';
import { printable } from '../../log/printable.js';
import { checkedPullRequest } from '../checks.js';

export interface RepositoryScope {
  readonly repository: string;
  readonly region: string;
}

const HEADS = 'refs/heads/';
const PULL_REQUEST_ID = /^[1-9][0-9]{0,15}$/;

/** Refuses an answer whose `field` is off, naming the field and (escaped) the value. */
export function refuse(field: string, value: unknown, why: string): never {
  throw new ForgeError(`codecommit answered a pull request with an invalid ${field} (${why})`, {
    retryable: false,
    hint: 'drawbridge ignores the answer; check the forge, or a proxy in between',
    context: { value: printable(String(value), 80) },
  });
}

/** Where a person opens it: the CodeCommit console. */
export function consoleUrl(scope: RepositoryScope, id: string): string {
  const { region, repository } = scope;
  return `https://${region}.console.aws.amazon.com/codesuite/codecommit/repositories/${encodeURIComponent(repository)}/pull-requests/${encodeURIComponent(id)}/details?region=${region}`;
}

/** The single target of an answer, checked to be our repository's. */
export function targetOf(
  answer: CodeCommitPullRequest | undefined,
  scope: RepositoryScope,
): PullRequestTarget {
  const targets = answer?.pullRequestTargets;
  if (!Array.isArray(targets) || targets.length !== 1)
    refuse('targets', targets?.length, 'exactly one target');
  const target = targets[0]!;
  if (target.repositoryName !== scope.repository)
    refuse('repository', target.repositoryName, `the repository ${scope.repository}`);
  return target;
}

export function toPullRequest(
  answer: CodeCommitPullRequest | undefined,
  scope: RepositoryScope,
): PullRequest {
  if (answer === undefined) refuse('answer', 'nothing', 'a pull request');
  const target = targetOf(answer, scope);
  const id = answer.pullRequestId;
  const merged = target.mergeMetadata?.isMerged === true;
  const status = answer.pullRequestStatus;
  return checkedPullRequest('codecommit', {
    number: typeof id === 'string' && PULL_REQUEST_ID.test(id) ? Number(id) : id,
    url: consoleUrl(scope, String(id)),
    state: status === 'OPEN' ? 'open' : status === 'CLOSED' ? (merged ? 'merged' : 'closed') : status,
    head: branchOf(target.sourceReference, 'source reference'),
    base: branchOf(target.destinationReference, 'destination reference'),
    headSha: target.sourceCommit,
    title: answer.title,
    body: answer.description,
    updatedAt:
      answer.lastActivityDate instanceof Date ? answer.lastActivityDate.getTime() : answer.lastActivityDate,
  });
}

/** `refs/heads/<branch>` → `<branch>` (checkedPullRequest then checks the branch). */
function branchOf(reference: string | undefined, field: string): string {
  if (typeof reference !== 'string' || !reference.startsWith(HEADS))
    refuse(field, reference, 'refs/heads/<branch>');
  return reference.slice(HEADS.length);
}
