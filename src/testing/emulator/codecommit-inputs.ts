/**
 * The inputs of the CodeCommit emulator's operations, checked as CodeCommit checks them: each
 * reader returns the value or throws the exception type CodeCommit answers for it (a missing
 * value and an invalid one are different types). Also the caller's identity (the SigV4 access
 * key) and ListPullRequests' continuation tokens.
 */
import type { CodeCommitStore } from './codecommit.js';
import type { PullRequestRecord } from './codecommit-records.js';
import { AwsError, type RequestContext } from './server.js';

export type Input = Record<string, unknown>;

const TITLE_MAX = 150;
const DESCRIPTION_MAX = 10_240;
export const HEADS = 'refs/heads/';
const TOKEN_PREFIX = 'drawbridge-emu-cc.';

/** The repository an operation touches (for IAM), looking the pull request up when needed. */
export function repositoryOf(store: CodeCommitStore, input: Input): string | undefined {
  const named = input['repositoryName'];
  if (typeof named === 'string') return named;
  const targets = input['targets'];
  if (Array.isArray(targets)) {
    const first = targets[0] as { repositoryName?: unknown } | undefined;
    return typeof first?.repositoryName === 'string' ? first.repositoryName : undefined;
  }
  const id = input['pullRequestId'];
  // An unknown pull request: the operation itself answers the error.
  return typeof id === 'string' ? store.repositoryOfPullRequest(id) : undefined;
}

export function pullRequestOf(store: CodeCommitStore, input: Input): Promise<PullRequestRecord> {
  const id = input['pullRequestId'];
  if (id === undefined || id === '')
    throw new AwsError('PullRequestIdRequiredException', 'A pull request ID is required.');
  if (typeof id !== 'string')
    throw new AwsError('InvalidPullRequestIdException', 'The pull request ID is not valid.');
  return store.pullRequest(id);
}

export function repositoryName(value: unknown): string {
  if (value === undefined || value === '')
    throw new AwsError('RepositoryNameRequiredException', 'A repository name is required.');
  if (typeof value !== 'string' || !/^[\w.-]{1,100}$/.test(value))
    throw new AwsError('InvalidRepositoryNameException', 'The repository name is not valid.');
  return value;
}

export function targetOf(input: Input): Input {
  const targets = input['targets'];
  if (targets === undefined)
    throw new AwsError('TargetsRequiredException', 'An array of target objects is required.');
  if (!Array.isArray(targets) || targets.length === 0)
    throw new AwsError('InvalidTargetsException', 'The targets for the pull request are not valid.');
  if (targets.length > 1)
    throw new AwsError(
      'MultipleRepositoriesInPullRequestException',
      'You cannot include more than one repository in a pull request.',
    );
  const target = targets[0] as unknown;
  if (target === null || typeof target !== 'object')
    throw new AwsError('InvalidTargetException', 'The target for the pull request is not valid.');
  return target as Input;
}

/** A branch given as `name` or `refs/heads/name`; CodeCommit's pull requests take branches only. */
export function referenceName(value: unknown): string {
  if (value === undefined || value === '')
    throw new AwsError('ReferenceNameRequiredException', 'A reference name is required.');
  if (typeof value !== 'string' || /[\s~^:?*[\\]|\.\.|@\{/.test(value) || value.endsWith('/'))
    throw new AwsError(
      'InvalidReferenceNameException',
      `The reference name ${JSON.stringify(value)} is not valid.`,
    );
  if (value.startsWith('refs/') && !value.startsWith(HEADS))
    throw new AwsError('ReferenceTypeNotSupportedException', `The reference ${value} is not a branch.`);
  return value.startsWith(HEADS) ? value.slice(HEADS.length) : value;
}

export function title(input: Input): string {
  const value = input['title'];
  if (value === undefined || value === '')
    throw new AwsError('TitleRequiredException', 'A pull request title is required.');
  if (typeof value !== 'string' || value.length > TITLE_MAX)
    throw new AwsError(
      'InvalidTitleException',
      `The title is not valid. Titles are limited to ${TITLE_MAX} characters.`,
    );
  return value;
}

export function description(input: Input): string {
  const value = input['description'];
  if (typeof value !== 'string' || value.length > DESCRIPTION_MAX)
    throw new AwsError(
      'InvalidDescriptionException',
      `The description is not valid. Descriptions are limited to ${DESCRIPTION_MAX} characters.`,
    );
  return value;
}

export function revisionOf(input: Input): string {
  const value = input['revisionId'];
  if (value === undefined || value === '')
    throw new AwsError('RevisionIdRequiredException', 'A revision ID is required.');
  if (typeof value !== 'string')
    throw new AwsError('InvalidRevisionIdException', 'The revision ID is not valid.');
  return value;
}

export function commitIdOf(input: Input, name: string): string {
  const value = input[name];
  if (value === undefined || value === '')
    throw new AwsError('CommitIdRequiredException', 'A commit ID is required.');
  if (typeof value !== 'string' || !/^[0-9a-f]{40}$/.test(value))
    throw new AwsError('InvalidCommitIdException', `The commit ID ${JSON.stringify(value)} is not valid.`);
  return value;
}

export function optionalText(input: Input, name: string): string | undefined {
  const value = input[name];
  return typeof value === 'string' ? value : undefined;
}

export function encodeToken(scope: string, after: number): string {
  return `${TOKEN_PREFIX}${Buffer.from(JSON.stringify({ scope, after })).toString('base64url')}`;
}

/** The id a page starts below, or undefined without a token; a foreign or mangled token is refused. */
export function decodeToken(token: unknown, scope: string): number | undefined {
  if (token === undefined) return undefined;
  const invalid = new AwsError(
    'InvalidContinuationTokenException',
    'The specified continuation token is not valid.',
  );
  if (typeof token !== 'string' || !token.startsWith(TOKEN_PREFIX)) throw invalid;
  try {
    const cursor = JSON.parse(
      Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'),
    ) as {
      scope?: unknown;
      after?: unknown;
    };
    if (cursor.scope === scope && typeof cursor.after === 'number') return cursor.after;
  } catch {
    // refused below
  }
  throw invalid;
}

/** The IAM user the SDK signed as (SigV4 `Credential=<access key>/…`). */
export function callerOf(store: CodeCommitStore, context: RequestContext): string {
  const authorization = String(context.headers['authorization'] ?? '');
  return store.userArn(/Credential=([^/,\s]+)\//.exec(authorization)?.[1] ?? 'anonymous');
}
