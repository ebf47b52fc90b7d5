/**
 * CodeCommit failures as ForgeErrors that say what to fix: the operation and repository, the
 * AWS error code, whether the daemon should simply retry (throttling, 5xx, network, a branch
 * that moved under a merge), and a hint (the missing IAM action for access denied, the
 * repository and region for a missing repository).
 */
import { ForgeError, messageOf, AWS_THROTTLING_CODES, NETWORK_ERROR_CODES } from '../../errors.js';
import { printable } from '../../log/printable.js';

export interface CallScope {
  /** CodeCommit operation, e.g. `CreatePullRequest`. */
  readonly operation: string;
  readonly repository: string;
  readonly region: string;
  readonly pullRequest?: number;
}

interface AwsLikeError {
  readonly name?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** Worth another try on the next pass: the service or the race, not the request. */
const TRANSIENT = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ExpiredTokenException',
  'InternalFailure',
  'ServiceUnavailable',
  'ConcurrentReferenceUpdateException',
  'TipOfSourceReferenceIsDifferentException',
  'EncryptionKeyUnavailableException',
]);
const IDENTITY = 'the identity drawbridge runs as (IRSA / Pod Identity role, profile or instance role)';

export function codeOf(error: unknown): string {
  if (error === null || typeof error !== 'object') return 'Error';
  const aws = error as AwsLikeError;
  if (aws.code && NETWORK_ERROR_CODES.has(aws.code)) return aws.code;
  return aws.name && aws.name !== 'Error' ? aws.name : (aws.code ?? 'Error');
}

export function toForgeError(error: unknown, scope: CallScope): ForgeError {
  if (error instanceof ForgeError) return error;
  // The code and message come from the service's answer: one escaped, capped line each.
  const code = printable(codeOf(error), 80);
  const message = printable(messageOf(error), 400);
  const status = (error as AwsLikeError | undefined)?.$metadata?.httpStatusCode;
  const retryable =
    AWS_THROTTLING_CODES.has(code) ||
    NETWORK_ERROR_CODES.has(code) ||
    TRANSIENT.has(code) ||
    (status !== undefined && status >= 500);
  const hint = hintFor(code, message, scope, retryable);
  return new ForgeError(`CodeCommit ${scope.operation} failed for ${scope.repository}: ${code}: ${message}`, {
    retryable,
    ...(status === undefined ? {} : { status }),
    ...(hint === undefined ? {} : { hint }),
    context: {
      repository: scope.repository,
      region: scope.region,
      operation: scope.operation,
      ...(scope.pullRequest === undefined ? {} : { pullRequest: scope.pullRequest }),
    },
    cause: error,
  });
}

function hintFor(code: string, message: string, scope: CallScope, retryable: boolean): string | undefined {
  switch (code) {
    case 'AccessDeniedException': {
      const action = /perform: (codecommit:[A-Za-z]+)/.exec(message)?.[1] ?? `codecommit:${scope.operation}`;
      const resource =
        /on resource: (arn:[^\s]+)/.exec(message)?.[1] ??
        `arn:aws:codecommit:${scope.region}:<account>:${scope.repository}`;
      return `allow ${action} on ${resource} for ${IDENTITY}`;
    }
    case 'RepositoryDoesNotExistException':
      return `no CodeCommit repository "${scope.repository}" in ${scope.region}: check forge.repository and forge.region (and the account of the credentials)`;
    case 'PullRequestDoesNotExistException':
      return 'the pull request is gone or belongs to another account or region';
    case 'ManualMergeRequiredException':
      return 'CodeCommit cannot merge it by itself (conflicts, or the target moved so a fast-forward is impossible): drawbridge rewrites the branch on its next pass, or merge it by hand';
    case 'InvalidTitleException':
      return 'CodeCommit limits pull request titles to 150 characters';
    case 'InvalidDescriptionException':
      return 'CodeCommit limits pull request descriptions to 10,240 characters';
    case 'MaximumOpenPullRequestsExceededException':
      return 'the repository has 1,000 open pull requests, CodeCommit’s quota: close some';
    case 'CredentialsProviderError':
      return 'no AWS credentials found: use IRSA or EKS Pod Identity in a cluster, AWS_PROFILE or AWS_ACCESS_KEY_ID locally';
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
      return 'CodeCommit did not accept the credentials: check the access key, the clock and the region';
    default:
      if (AWS_THROTTLING_CODES.has(code))
        return 'CodeCommit kept throttling after retries: drawbridge tries again on its next pass';
      if (retryable) return 'a transient CodeCommit failure: drawbridge tries again on its next pass';
      return undefined;
  }
}
