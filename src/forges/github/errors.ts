/**
 * GitHub failures as ForgeErrors that say what to fix: a refused token names the variable it
 * came from (or the App), a missing permission names it as GitHub's settings do ("Pull
 * requests: write", read from `x-accepted-github-permissions`), a 404 says the repository is
 * missing or invisible to the token, and rate limits, 5xx and network failures are marked
 * retryable. GitHub's words are outside text: escaped, capped and redacted before use.
 */
import { ForgeError, messageOf } from '../../errors.js';
import { printable } from '../../log/printable.js';
import type { Redactor } from '../../log/redact.js';
import type { CredentialSource } from './credentials.js';
import { httpFailureOf, type HttpFailure } from './http-failure.js';

export interface FailureScope {
  /** What drawbridge was doing, as a verb phrase: `list open pull requests`. */
  readonly operation: string;
  /** The permission the call needs, as GitHub's settings name it: `"Pull requests: write"`. */
  readonly permission: string;
  readonly repository: string;
  readonly apiUrl: string;
  readonly source: CredentialSource;
  readonly redactor: Redactor;
  readonly pullRequest?: number;
}

interface GraphqlFailure {
  readonly type: string | undefined;
  readonly message: string;
}

const PERMISSION_HEADER =
  /^[a-z_]+=[a-z]+(?:\s*,\s*[a-z_]+=[a-z]+)*(?:\s*;\s*[a-z_]+=[a-z]+(?:\s*,\s*[a-z_]+=[a-z]+)*)*$/;

/**
 * `issues=write; pull_requests=write` → `"Issues: write" or "Pull requests: write"`: sets
 * separated by `;` are alternatives, permissions separated by `,` are all needed.
 */
export function describePermissions(header: string | undefined): string | undefined {
  const value = header?.trim();
  if (value === undefined || value === '' || value.length > 500 || !PERMISSION_HEADER.test(value))
    return undefined;
  return value
    .split(';')
    .map((set) =>
      set
        .split(',')
        .map((entry) => {
          const [name = '', access = ''] = entry.trim().split('=');
          const words = name.replace(/_/g, ' ');
          return `"${words.charAt(0).toUpperCase()}${words.slice(1)}: ${access}"`;
        })
        .join(' and '),
    )
    .join(' or ');
}

function who(source: CredentialSource): string {
  return source.kind === 'token'
    ? `the token in ${source.tokenEnv}`
    : `GitHub App ${source.appId} (installation ${source.installationId})`;
}

function outside(text: string, redactor: Redactor): string {
  return printable(redactor.redact(text), 400);
}

export function toForgeError(error: unknown, scope: FailureScope): ForgeError {
  if (error instanceof ForgeError) return error;
  const graphql = graphqlFailuresOf(error);
  if (graphql !== undefined) return graphqlError(graphql, scope);
  const failure = httpFailureOf(error);
  const context = {
    repository: scope.repository,
    operation: scope.operation,
    ...(scope.pullRequest === undefined ? {} : { pullRequest: scope.pullRequest }),
  };
  if (failure === undefined)
    return new ForgeError(
      `GitHub: could not ${scope.operation} in ${scope.repository}: ${outside(messageOf(error), scope.redactor)}`,
      { retryable: false, context },
    );
  if (!failure.answered)
    return new ForgeError(
      `GitHub: could not reach ${scope.apiUrl} to ${scope.operation}: ${outside(failure.message, scope.redactor)}`,
      {
        retryable: true,
        hint: 'check the network, any proxy, and forge.apiUrl; the next pass retries',
        context,
      },
    );
  const requestId = failure.headers['x-github-request-id'];
  return new ForgeError(
    `GitHub: could not ${scope.operation} in ${scope.repository}: HTTP ${failure.status}: ${outside(failure.message, scope.redactor)}`,
    {
      status: failure.status,
      retryable: isRetryable(failure, scope.source),
      hint: hintFor(failure, scope),
      context: {
        ...context,
        ...(requestId === undefined ? {} : { requestId: printable(requestId, 80) }),
        ...(failure.rateLimited === undefined ? {} : rateLimitContext(failure)),
      },
    },
  );
}

function isRetryable(failure: HttpFailure, source: CredentialSource): boolean {
  return (
    failure.rateLimited !== undefined ||
    failure.status >= 500 ||
    failure.status === 409 ||
    // An installation token GitHub refused is forgotten; the next call obtains a new one.
    (failure.status === 401 && source.kind === 'app')
  );
}

function rateLimitContext(failure: HttpFailure): Record<string, unknown> {
  if (failure.rateLimited === 'primary')
    return { rateLimit: 'primary', ...(failure.resetAt ? { resetAt: failure.resetAt.toISOString() } : {}) };
  return {
    rateLimit: 'secondary',
    ...(failure.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: failure.retryAfterSeconds }),
  };
}

function hintFor(failure: HttpFailure, scope: FailureScope): string | undefined {
  const { source } = scope;
  if (failure.rateLimited === 'secondary')
    return `GitHub's secondary rate limit${failure.retryAfterSeconds === undefined ? '' : ` (retry after ${failure.retryAfterSeconds} s)`}: drawbridge waits only briefly and a few times per call; the next pass retries`;
  if (failure.rateLimited === 'primary')
    return `the API quota of ${who(source)} is used up${failure.resetAt ? ` until ${failure.resetAt.toISOString()}` : ''}; the next pass retries`;
  if (failure.status >= 500) return 'GitHub failed; the next pass retries';
  switch (failure.status) {
    case 401:
      return source.kind === 'token'
        ? `the token in ${source.tokenEnv} is invalid or expired: create a new one and put it in ${source.tokenEnv}`
        : `GitHub refused the installation token of App ${source.appId}; drawbridge obtains a new one on the next call. If this repeats, check the App's private key (forge.app.privateKeyFile) and installation ${source.installationId}`;
    case 403:
      return forbiddenHint(failure, scope);
    case 404:
      return source.kind === 'token'
        ? `the repository ${scope.repository} does not exist on ${scope.apiUrl}, or the token in ${source.tokenEnv} cannot see it: check forge.repository, and that a fine-grained token lists the repository under "Repository access"`
        : `the repository ${scope.repository} does not exist on ${scope.apiUrl}, or installation ${source.installationId} of App ${source.appId} does not include it: check forge.repository and the installation's repository access`;
    case 409:
      return 'the pull request changed while drawbridge acted on it; the next pass looks again';
    default:
      return undefined;
  }
}

function forbiddenHint(failure: HttpFailure, scope: FailureScope): string {
  const { source } = scope;
  const accepted = describePermissions(failure.headers['x-accepted-github-permissions']);
  if (accepted !== undefined) return permissionHint(accepted, scope);
  const scopes = failure.headers['x-accepted-oauth-scopes']?.trim();
  if (source.kind === 'token' && scopes !== undefined && /^[\w:, -]{1,200}$/.test(scopes) && scopes !== '')
    return `the classic token in ${source.tokenEnv} needs the ${scopes} scope on ${scope.repository}`;
  if (/not accessible by/i.test(failure.message)) return permissionHint(scope.permission, scope);
  return `GitHub refused ${who(source)} (see its message): an organization policy (SSO, IP allow list) can do this`;
}

function permissionHint(needed: string, scope: FailureScope): string {
  const { source } = scope;
  return source.kind === 'token'
    ? `${who(source)} lacks ${needed} on ${scope.repository}: give the fine-grained token that permission (a classic token needs the repo scope)`
    : `${who(source)} lacks ${needed}: add it to the App's permissions and accept the change on the installation`;
}

/**
 * The errors of a GraphQL answer: Octokit's GraphqlResponseError, or the plain Error the
 * throttling plugin throws for a RATE_LIMITED answer it gave up waiting for (`data.errors`).
 */
function graphqlFailuresOf(error: unknown): GraphqlFailure[] | undefined {
  if (!(error instanceof Error)) return undefined;
  const { errors, data } = error as Error & { errors?: unknown; data?: { errors?: unknown } };
  const list =
    error.name === 'GraphqlResponseError' ? errors : error.name === 'Error' ? data?.errors : undefined;
  if (error.name !== 'GraphqlResponseError' && !Array.isArray(list)) return undefined;
  if (!Array.isArray(list) || list.length === 0) return [{ type: undefined, message: error.message }];
  return list.map((entry: unknown) => {
    const fields = entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>) : {};
    return {
      type: typeof fields['type'] === 'string' ? fields['type'] : undefined,
      message: typeof fields['message'] === 'string' ? fields['message'] : 'unknown GraphQL error',
    };
  });
}

/** Whether GitHub refused a GraphQL mutation because the pull request can be merged right now. */
export function isCleanStatusRefusal(error: unknown): boolean {
  return (graphqlFailuresOf(error) ?? []).some(
    (failure) => failure.type === 'UNPROCESSABLE' && /\bis in clean status\b/i.test(failure.message),
  );
}

function graphqlError(failures: readonly GraphqlFailure[], scope: FailureScope): ForgeError {
  const said = outside(failures.map((failure) => failure.message).join('; '), scope.redactor);
  const type = failures[0]?.type;
  const message = `GitHub: could not ${scope.operation} in ${scope.repository}: ${type ?? 'GraphQL error'}: ${said}`;
  const context = {
    repository: scope.repository,
    operation: scope.operation,
    ...(scope.pullRequest === undefined ? {} : { pullRequest: scope.pullRequest }),
  };
  switch (type) {
    case 'FORBIDDEN':
      return new ForgeError(message, {
        retryable: false,
        hint: permissionHint(scope.permission, scope),
        context,
      });
    case 'NOT_FOUND':
      return new ForgeError(message, {
        retryable: false,
        hint: `the pull request is gone, or ${who(scope.source)} cannot see it`,
        context,
      });
    case 'RATE_LIMITED':
      return new ForgeError(message, {
        retryable: true,
        hint: "GitHub's GraphQL rate limit; the next pass retries",
        context,
      });
    default:
      return new ForgeError(message, {
        retryable: false,
        ...(/auto merge is not allowed/i.test(said)
          ? {
              hint: `turn on "Allow auto-merge" in the settings of ${scope.repository} (General → Pull Requests)`,
            }
          : {}),
        context,
      });
  }
}
