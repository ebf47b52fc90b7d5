/**
 * AWS failures as RegistryErrors that say what to fix: the repository and image they concern,
 * the AWS error code, whether the daemon should simply retry, and a hint (the missing IAM
 * action and resource for access denied, URI/region/account for a missing repository).
 */
import { RegistryError, messageOf, AWS_THROTTLING_CODES, NETWORK_ERROR_CODES } from '../../errors.js';
import { printable } from '../../log/printable.js';
import type { RepositoryRef } from '../../registry.js';

export interface FailureScope {
  readonly imageKey: string;
  readonly repository: RepositoryRef;
  /** ECR operation, e.g. `DescribeImages`. */
  readonly operation: string;
  /** Role assumed for this repository, if any. */
  readonly roleArn?: string;
  readonly endpoint?: string;
}

const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ExpiredTokenException',
]);

interface AwsLikeError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

export function repositoryArn(repository: RepositoryRef): string {
  const partition = repository.uri.includes('.amazonaws.com.cn/') ? 'aws-cn' : 'aws';
  return `arn:${partition}:ecr:${repository.region}:${repository.registryId}:repository/${repository.name}`;
}

export function isThrottling(error: unknown): boolean {
  return AWS_THROTTLING_CODES.has(codeOf(error));
}

export function codeOf(error: unknown): string {
  if (error === null || typeof error !== 'object') return 'Error';
  const aws = error as AwsLikeError;
  if (aws.code && NETWORK_ERROR_CODES.has(aws.code)) return aws.code;
  return aws.name && aws.name !== 'Error' ? aws.name : (aws.code ?? 'Error');
}

export function toRegistryError(error: unknown, scope: FailureScope): RegistryError {
  if (error instanceof RegistryError) return error;
  // The error's name and message come from the registry's answer: one escaped, capped line each.
  const code = printable(codeOf(error), 80);
  const status = (error as AwsLikeError | undefined)?.$metadata?.httpStatusCode;
  const message = printable(messageOf(error), 400);
  const retryable =
    AWS_THROTTLING_CODES.has(code) ||
    NETWORK_ERROR_CODES.has(code) ||
    TRANSIENT_NAMES.has(code) ||
    (status !== undefined && status >= 500);
  const { repository } = scope;
  return new RegistryError(`ECR ${scope.operation} failed for ${scope.imageKey}: ${code}: ${message}`, {
    code,
    retryable,
    hint: hintFor(code, scope, message, retryable),
    context: {
      image: scope.imageKey,
      repository: repository.uri,
      region: repository.region,
      registryId: repository.registryId,
      operation: scope.operation,
      ...(scope.roleArn ? { roleArn: scope.roleArn } : {}),
    },
    cause: error,
  });
}

function hintFor(code: string, scope: FailureScope, message: string, retryable: boolean): string | undefined {
  const { repository } = scope;
  const arn = repositoryArn(repository);
  const who = scope.roleArn
    ? `the role ${scope.roleArn}`
    : 'the identity drawbridge runs as (IRSA / Pod Identity role, profile or instance role)';
  switch (code) {
    case 'AccessDeniedException': {
      const action = /perform: (ecr:[A-Za-z]+)/.exec(message)?.[1] ?? `ecr:${scope.operation}`;
      return `allow ${action} on ${arn} for ${who}; a cross-account registry also needs a repository policy granting it`;
    }
    case 'AccessDenied':
      return `${who} may not assume ${scope.roleArn ?? 'the role'}: allow sts:AssumeRole on it and check the role's trust policy (and externalId)`;
    case 'RepositoryNotFoundException':
      return `no repository "${repository.name}" in registry ${repository.registryId}, region ${repository.region}: check the URI in images.${scope.imageKey}.repository, the region (aws.region / images.${scope.imageKey}.region) and the account`;
    case 'ImageNotFoundException':
      return 'the image was deleted since it was listed; the next scan will not offer it';
    case 'CredentialsProviderError':
      return 'no AWS credentials found: use IRSA or EKS Pod Identity in a cluster, AWS_PROFILE or AWS_ACCESS_KEY_ID locally';
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
      return 'ECR did not accept the credentials: check the access key, the clock and the region';
    case 'InvalidRepositoryUri':
      return 'expected <account>.dkr.ecr.<region>.amazonaws.com/<name>';
    default:
      if (isThrottling({ name: code }))
        return 'ECR kept throttling after retries: lower aws.maxConcurrency or widen the schedule';
      if (retryable)
        return `a transient failure${scope.endpoint ? ` talking to ${scope.endpoint}` : ''}; the next scan retries it`;
      return undefined;
  }
}
